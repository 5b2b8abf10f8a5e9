"""The tables behind `manage.py seed_demo`, drawn from the articles in the design notes' seeds.

Names of people are invented, except the filigree coach Bashkim Tejeci who is named in the seed article.
People's names are written in their own script, as the system stores them.
"""

# key -> fields; the name is the natural key.
ORGANISATIONS = {
    "kcs": {
        "name": "Kosovo Correctional Service",
        "short_name": "KCS",
        "kind": "prison_service",
        "country": "XK",
        "city": "Prishtina",
    },
    "uiks": {
        "name": "Administration for the Enforcement of Penal Sanctions",
        "short_name": "UIKS",
        "kind": "prison_service",
        "country": "RS",
        "city": "Belgrade",
    },
    "vtc": {
        "name": "Vocational Training Center Prizren",
        "short_name": "VTC Prizren",
        "kind": "training_centre",
        "country": "XK",
        "city": "Prizren",
    },
    "help": {
        "name": "Help – Hilfe zur Selbsthilfe",
        "short_name": "Help",
        "kind": "ngo",
        "country": "XK",
        "city": "Prishtina",
    },
    "eucoe": {
        "name": "European Union / Council of Europe Horizontal Facility",
        "short_name": "EU/CoE",
        "kind": "donor",
        "country": "XK",
        "city": "Prishtina",
    },
    "probation": {
        "name": "Kosovo Probation Service",
        "short_name": "KPS",
        "kind": "probation",
        "country": "XK",
        "city": "Prishtina",
    },
    "chr_nis": {
        "name": "Centre for Human Rights Niš",
        "short_name": "CHR Niš",
        "kind": "ngo",
        "country": "RS",
        "city": "Niš",
    },
    "health": {
        "name": "Prison Health Department",
        "short_name": "PHD",
        "kind": "health",
        "country": "XK",
        "city": "Prishtina",
    },
    "forensic": {
        "name": "Institute of Forensic Psychiatry",
        "short_name": "IFP",
        "kind": "health",
        "country": "XK",
        "city": "Prishtina",
    },
}

# code -> fields; the code is the natural key.
FACILITIES = {
    "lipjan": {
        "service": "kcs",
        "name": "Lipjan Correctional Centre for Women",
        "kind": "women",
        "city": "Lipjan",
        "capacity": 80,
    },
    "dubrava": {
        "service": "kcs",
        "name": "Dubrava Correctional Centre",
        "kind": "correctional",
        "city": "Istog",
        "capacity": 1100,
    },
    "hsp": {
        "service": "kcs",
        "name": "High Security Prison",
        "kind": "high_security",
        "city": "Podujevo",
        "capacity": 400,
    },
    "kpz-nis": {
        "service": "uiks",
        "name": "KPZ Niš",
        "kind": "correctional",
        "city": "Niš",
        "capacity": 1400,
    },
}

# (facility code, name, capacity); small rooms are why groups have at most five.
ROOMS = [
    ("lipjan", "Filigree workshop", 5),
    ("lipjan", "IT classroom", 5),
    ("kpz-nis", "Training room", 14),
    ("dubrava", "Training hall", 30),
]

# key -> (organisation, first name, last name, gender, job title, home city)
STAFF = {
    # The three filigree coaches travel from Prizren twice a week.
    "bashkim": ("vtc", "Bashkim", "Tejeci", "M", "Filigree coach", "Prizren"),
    "agim": ("vtc", "Agim", "Kabashi", "M", "Filigree coach", "Prizren"),
    "shpresa": ("vtc", "Shpresa", "Mazreku", "F", "Filigree coach", "Prizren"),
    "registrar": ("vtc", "Lindita", "Kuqi", "F", "Certificates officer", "Prizren"),
    "it_trainer": ("help", "Driton", "Pllana", "M", "IT instructor", "Prishtina"),
    "director": ("kcs", "Valdete", "Kurti", "F", "Director, Lipjan Correctional Centre for Women", "Lipjan"),
    "casemanager": ("kcs", "Blerina", "Aliu", "F", "Case manager", "Prishtina"),
    "officer": ("kcs", "Besnik", "Hoti", "M", "Rehabilitation programmes officer", "Prishtina"),
    "probation": ("probation", "Arsim", "Rrahmani", "M", "Probation officer", "Prishtina"),
    "donor": ("eucoe", "Claire", "Dubois", "F", "Programme manager", "Strasbourg"),
    # The Niš workshop: trainers in three cities, four prison employees among the participants.
    "nis_trainer_nis": ("chr_nis", "Ana", "Milošević", "F", "Trainer", "Niš"),
    "nis_trainer_bg": ("chr_nis", "Stefan", "Pavlović", "M", "Trainer", "Belgrade"),
    "nis_trainer_ns": ("chr_nis", "Milica", "Kovačević", "F", "Trainer", "Novi Sad"),
    "nis_staff_1": ("uiks", "Dejan", "Ristić", "M", "Treatment instructor", "Niš"),
    "nis_staff_2": ("uiks", "Ivana", "Cvetković", "F", "Treatment instructor", "Niš"),
    "nis_staff_3": ("uiks", "Бранислав", "Јанковић", "M", "Treatment instructor", "Niš"),
    "nis_staff_4": ("uiks", "Јасмина", "Стевановић", "F", "Psychologist, prison health service", "Niš"),
    # Occupational therapy cascade: trainers from the training of trainers, participants mostly from health.
    "ot_trainer_1": ("health", "Fitore", "Demaj", "F", "Occupational therapist", "Istog"),
    "ot_trainer_2": ("health", "Lulzim", "Gjikolli", "M", "Nurse", "Prishtina"),
    "ot_1": ("health", "Arbenita", "Hajdari", "F", "Nurse", "Istog"),
    "ot_2": ("health", "Burim", "Shabani", "M", "General practitioner", "Prishtina"),
    "ot_3": ("health", "Dafina", "Bislimi", "F", "Psychologist", "Prishtina"),
    "ot_4": ("health", "Egzon", "Maloku", "M", "Nurse", "Istog"),
    "ot_5": ("health", "Fjolla", "Kuçi", "F", "Social worker", "Podujevo"),
    "ot_6": ("health", "Kushtrim", "Vokshi", "M", "Nurse", "Podujevo"),
    "ot_7": ("kcs", "Nexhat", "Berisha", "M", "Treatment officer", "Istog"),
    "ot_8": ("kcs", "Ardita", "Rexha", "F", "Social worker", "Istog"),
    # The training of trainers the two cascade facilitators took, with colleagues from the prison service,
    # probation and the forensic psychiatry institute; a psychiatrist of the institute mentors the cascade.
    "ot_master": ("forensic", "Arben", "Gashi", "M", "Occupational therapist, trainer of trainers", "Prishtina"),
    "ot_mentor": ("forensic", "Vlora", "Berisha", "F", "Psychiatrist, supervising mentor", "Prishtina"),
    "tot_kcs": ("kcs", "Driton", "Krasniqi", "M", "Treatment officer", "Lipjan"),
    "tot_probation": ("probation", "Shqipe", "Hoxha", "F", "Probation officer", "Prizren"),
    "tot_forensic": ("forensic", "Liridon", "Morina", "M", "Nurse, forensic psychiatry", "Prishtina"),
}

# username -> (first name, last name, staff key or None, role, scope kind, scope value)
# scope kind is "facility" (a code), "organisation" (a key above), "country" (a code) or None.
USERS = {
    "admin": ("Arian", "Leka", None, "system_administrator", None, None),
    "director": ("Valdete", "Kurti", "director", "director", "facility", "lipjan"),
    "trainer": ("Bashkim", "Tejeci", "bashkim", "trainer", "organisation", "vtc"),
    "registrar": ("Lindita", "Kuqi", "registrar", "registrar", "organisation", "vtc"),
    "casemanager": ("Blerina", "Aliu", "casemanager", "case_manager", "facility", "lipjan"),
    "probation": ("Arsim", "Rrahmani", "probation", "probation_officer", "organisation", "probation"),
    "officer": ("Besnik", "Hoti", "officer", "programme_officer", "country", "XK"),
    "donor": ("Claire", "Dubois", "donor", "donor", "organisation", "eucoe"),
}

# The women in Lipjan, in the order the cohorts draw from (see seed_demo); (first name, last name, language).
LIPJAN_WOMEN = [
    ("Blerta", "Hoxha", "sq"),
    ("Arta", "Krasniqi", "sq"),
    ("Drita", "Gashi", "sq"),
    ("Edona", "Berisha", "sq"),
    ("Fatime", "Morina", "sq"),
    ("Gentiana", "Shala", "sq"),
    ("Јелена", "Петровић", "sr"),
    ("Hana", "Bytyqi", "sq"),
    ("Ilirjana", "Kastrati", "sq"),
    ("Jehona", "Hasani", "sq"),
    ("Kaltrina", "Rexhepi", "sq"),
    ("Мирјана", "Јовановић", "sr"),
    ("Liridona", "Kelmendi", "sq"),
    ("Mimoza", "Thaçi", "sq"),
    ("Njomza", "Osmani", "sq"),
    ("Qëndresa", "Zeka", "sq"),
    ("Rina", "Ahmeti", "sq"),
    ("Драгана", "Николић", "sr"),
    ("Shqipe", "Rama", "sq"),
    ("Teuta", "Syla", "sq"),
    ("Valbona", "Halimi", "sq"),
    ("Vjosa", "Limani", "sq"),
    ("Zana", "Sopi", "sq"),
    ("Besa", "Dervishi", "sq"),
    ("Albulena", "Jashari", "sq"),
    ("Donika", "Haziri", "sq"),
    ("Снежана", "Стојановић", "sr"),
    ("Elira", "Mehmeti", "sq"),
    ("Flaka", "Hyseni", "sq"),
    ("Gresa", "Ismaili", "sq"),
    ("Lumnije", "Qerimi", "sq"),
    ("Merita", "Bajrami", "sq"),
    ("Nora", "Musliu", "sq"),
    ("Saranda", "Avdiu", "sq"),
    ("Весна", "Илић", "sr"),
    ("Shpresa", "Kryeziu", "sq"),
    ("Vlora", "Sadiku", "sq"),
    ("Yllka", "Beqiri", "sq"),
    ("Afërdita", "Latifi", "sq"),
    ("Xhevahire", "Rrustemi", "sq"),
]

# Former Lipjan women: they finished the first filigree course and have since been released.
RELEASED_WOMEN = [
    ("Lirije", "Bajraktari", "sq"),
    ("Fjolla", "Hamiti", "sq"),
]

DUBRAVA_MEN = [
    ("Agim", "Berisha", "sq"),
    ("Besnik", "Gashi", "sq"),
    ("Driton", "Morina", "sq"),
    ("Fatmir", "Hoxha", "sq"),
    ("Gëzim", "Shala", "sq"),
    ("Ilir", "Bytyqi", "sq"),
    ("Kujtim", "Rexhepi", "sq"),
    ("Labinot", "Kelmendi", "sq"),
    ("Милош", "Ђорђевић", "sr"),
    ("Mentor", "Osmani", "sq"),
    ("Naim", "Zeka", "sq"),
    ("Valon", "Rama", "sq"),
]

HSP_MEN = [
    ("Arbnor", "Syla", "sq"),
    ("Bekim", "Halimi", "sq"),
    ("Dardan", "Limani", "sq"),
    ("Enver", "Sopi", "sq"),
    ("Florent", "Jashari", "sq"),
    ("Granit", "Haziri", "sq"),
    ("Shkëlzen", "Mehmeti", "sq"),
    ("Urim", "Hyseni", "sq"),
]

# The first seven took part in the online anger-management workshop.
NIS_MEN = [
    ("Marko", "Jovanović", "sr-latn"),
    ("Никола", "Васић", "sr"),
    ("Stefan", "Nikolić", "sr-latn"),
    ("Милан", "Митић", "sr"),
    ("Aleksandar", "Marković", "sr-latn"),
    ("Дејан", "Цветковић", "sr"),
    ("Miloš", "Đorđević", "sr-latn"),
    ("Горан", "Костић", "sr"),
    ("Dušan", "Stojanović", "sr-latn"),
    ("Зоран", "Јовић", "sr"),
    ("Nenad", "Ilić", "sr-latn"),
    ("Бојан", "Петковић", "sr"),
    ("Dragan", "Pavlović", "sr-latn"),
    ("Срђан", "Живковић", "sr"),
    ("Ivan", "Milošević", "sr-latn"),
    ("Александар", "Станојевић", "sr"),
    ("Vladimir", "Stanković", "sr-latn"),
    ("Небојша", "Тодоровић", "sr"),
    ("Nemanja", "Marić", "sr-latn"),
    ("Владимир", "Младеновић", "sr"),
]

# code -> fields; the code is the natural key.
COURSES = {
    "filigree-1y": {
        "title": "Filigree jewellery making",
        "title_translations": {
            "sq": "Punimi i bizhuterive në filigran",
            "sr": "Израда филигранског накита",
            "sr-latn": "Izrada filigranskog nakita",
            "mk": "Изработка на филигрански накит",
            "bs": "Izrada filigranskog nakita",
        },
        "language": "sq",
        "kind": "crafts",
        "audience": "inmates",
        "description": (
            "A one-year course in the traditional silver filigree craft of Prizren: drawing and twisting wire, "
            "building frames, filling them with motifs, soldering, finishing and selling the work. Two sessions "
            "a week of three hours, in groups of at most five. The Vocational Training Center Prizren certifies "
            "those who complete it."
        ),
        # 2 sessions a week x 3 hours x 50 weeks.
        "planned_hours": 300,
        "min_attendance_percent": 80,
        "final_assessment_required": True,
        "issuer": "vtc",
    },
    "it-basics": {
        "title": "IT basics: computers, office software and the internet",
        "title_translations": {
            "sq": "Bazat e teknologjisë së informacionit",
            "sr": "Основе информатике",
            "sr-latn": "Osnove informatike",
            "mk": "Основи на информатиката",
            "bs": "Osnove informatike",
        },
        "language": "sq",
        "kind": "it",
        "audience": "inmates",
        "description": (
            "Sixteen weeks, two sessions of two hours a week: the computer, files and folders, word processing, "
            "spreadsheets, safe use of email and the internet, writing a CV and a job application. Computers "
            "donated by Help."
        ),
        "planned_hours": 64,
        "min_attendance_percent": 80,
        "final_assessment_required": True,
        "issuer": "vtc",
    },
    "anger-management": {
        "title": "Managing aggression and anger: peer educator programme",
        "title_translations": {
            "sr": "Контрола агресије и беса: програм вршњачке едукације",
            "sr-latn": "Kontrola agresije i besa: program vršnjačke edukacije",
            "sq": "Menaxhimi i agresionit dhe zemërimit: program i edukimit nga bashkëmoshatarët",
            "mk": "Контрола на агресија и гнев: програм за врсничка едукација",
            "bs": "Kontrola agresije i bijesa: program vršnjačke edukacije",
        },
        "language": "sr",
        "kind": "psychosocial",
        "audience": "mixed",
        "description": (
            "A programme by the Centre for Human Rights Niš, based on community psychology, for prisoners and "
            "treatment staff together. Selected prisoners are trained as peer educators who pass the skills on. "
            "Four modules: 1. Understanding aggression and anger; 2. Recognising triggers and early signs; "
            "3. Techniques for controlling anger and resolving conflict; 4. Peer education: facilitating the skills "
            "with others. A workshop runs over three consecutive days and can be held online, with trainers in "
            "several cities."
        ),
        "planned_hours": 18,
        "min_attendance_percent": 80,
        "final_assessment_required": False,
        "issuer": None,
    },
    "ot-cascade": {
        "title": "Occupational therapy in prisons: cascade training",
        "title_translations": {
            "sq": "Terapia okupacionale në burgje: trajnim kaskadë",
            "sr": "Радна терапија у затворима: каскадна обука",
            "sr-latn": "Radna terapija u zatvorima: kaskadna obuka",
        },
        "language": "sq",
        "kind": "staff_training",
        "audience": "staff",
        "description": (
            "Two days on applying the Guidelines for Occupational Therapy in prisons and other closed institutions, "
            "led by two trainers from the training of trainers; part of it on site, in the section housing prisoners "
            "with mental and somatic problems."
        ),
        "planned_hours": 12,
        "min_attendance_percent": 100,
        "final_assessment_required": False,
        "issuer": None,
    },
}

# What a register notes as covered, in course order; sessions cycle through them.
TOPICS = {
    "filigree-1y": [
        "Workshop safety; tools and materials",
        "Drawing silver wire to size",
        "Twisting and flattening wire",
        "Bending the outer frame",
        "Filling the frame with filigree motifs",
        "Soldering the motifs",
        "Making a pair of earrings",
        "Designing a brooch",
        "Cleaning, whitening and polishing",
        "Pricing and selling your work",
    ],
    "it-basics": [
        "The computer: mouse, keyboard, windows",
        "Files and folders",
        "Word processing: writing and formatting a letter",
        "Word processing: a CV",
        "Spreadsheets: a household budget",
        "Email and safe use of the internet",
        "Searching for job offers online",
        "Writing a job application",
    ],
    # Session i of a workshop covers module i + 1 (see MODULES); module 4 is what peer educators then practise.
    "anger-management": [
        "Module 1: what aggression and anger are; the anger diary",
        "Module 2: triggers and early warning signs; role play in pairs",
        "Module 3: calming techniques and resolving a conflict without violence",
    ],
    "ot-cascade": [
        "Guidelines for Occupational Therapy; assessing needs",
        "On site in Dubrava: planning and recording therapy activities",
    ],
}

# course code -> (title, planned hours) in order.
MODULES = {
    "anger-management": [
        ("Understanding aggression and anger", 4),
        ("Recognising triggers and early signs", 4),
        ("Techniques for controlling anger and resolving conflict", 6),
        ("Peer education: facilitating the skills with others", 4),
    ],
}

# The online workshop: each day two of the three trainers join, each from their own city (session index -> keys).
NIS_SESSION_TRAINERS = [
    ("nis_trainer_nis", "nis_trainer_bg"),
    ("nis_trainer_bg", "nis_trainer_ns"),
    ("nis_trainer_nis", "nis_trainer_ns"),
]

# The prisoners join the online workshop on tablets in the training room.
NIS_EQUIPMENT_NEEDS = [("tablet", 7), ("laptop", 1)]
NIS_EQUIPMENT = [("tablet", "Tablet 10\" with headset", 6), ("laptop", "Laptop for the room's camera and screen", 1)]
