"""Synthetic national data for scale tests and page benchmarks; see programs/dataset.py for its shape."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from programs.dataset import BASE, BENCH_PASSWORD, BENCH_USERS, DatasetGenerator, Plan, database_is_empty


class Command(BaseCommand):
    help = (
        "Generate synthetic data at N × a national base (60 facilities in 6 countries, 20,000 people in custody, "
        "2,000 cohorts, 200,000 sessions, about 2,000,000 attendance rows), loaded with COPY. "
        "Refuses a database that already holds facilities, people or cohorts unless --append is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, required=True, help="multiple of the national base, e.g. 0.1 or 1")
        parser.add_argument("--seed", type=int, default=1, help="random seed; the same seed and day give the same data")
        parser.add_argument("--today", type=dt.date.fromisoformat, help="the day the data is generated around (ISO)")
        parser.add_argument(
            "--append",
            action="store_true",
            help="add to a database that already has data; names, codes and logins get the suffix 's<seed>' "
            "(use a seed not used before) and no bench users are created",
        )

    def handle(self, *args, scale: float, seed: int, today: dt.date | None, append: bool, **options) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("generate_dataset loads with PostgreSQL's COPY: point DATABASE_URL at PostgreSQL.")
        if scale <= 0:
            raise CommandError("--scale must be positive.")
        if not append and not database_is_empty():
            raise CommandError(
                "This database already has facilities, people or cohorts. Use an empty database, or --append "
                "to add a second dataset next to them."
            )
        plan = Plan.for_scale(scale)
        planned = ", ".join(f"{name} {count:,}" for name, count in plan.totals().items())
        self.stdout.write(f"Scale {scale:g} × base ({', '.join(f'{k} {v:,}' for k, v in BASE.items())})")
        self.stdout.write(f"Planned: {planned}")
        generator = DatasetGenerator(
            scale=scale, seed=seed, today=today, tag=f"s{seed}" if append else "", bench_users=not append,
            out=self.stdout,
        )
        result = generator.run()
        self.stdout.write("Rows written:")
        for name, count in result.counts.items():
            self.stdout.write(f"  {name:<15} {count:>12,}")
        rate = sum(result.counts.values()) / result.seconds if result.seconds else 0
        self.stdout.write(self.style.SUCCESS(f"Done in {result.seconds:.1f} s ({rate:,.0f} rows/s)."))
        if not append:
            self.stdout.write(
                f"Bench logins (password {BENCH_PASSWORD!r}): {', '.join(BENCH_USERS)}; "
                f"their facility has id {result.bench_facility_id}."
            )
