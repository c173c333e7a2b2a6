"""Simulate a month of 500 referrals through delivery, PCP answers and reminders; print the KPIs.

Everything is real but the clock and the PCPs: the real scorer and letters, a SQLite
database, a real SMTP server (aiosmtpd on loopback) that refuses some practices and
answers some messages 451 at first, the reminder job run every simulated morning, print
batches on weekdays, and PCP answers through the acknowledgement service with lognormal
delays. PDFs are one blank page each (their content does not change the loop).

    uv run python scripts/simulate_referral_month.py [--referrals 500] [--seed 16]
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import random
import re
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pypdf import PdfWriter
from sqlalchemy import func, select

from api.ack.answers import PcpAnswerIn
from api.ack.settings import AckSettings
from api.analytics import loop_tables
from api.auth.principal import authenticate, create_key
from api.db import migrate
from api.db.delivery_models import Delivery, DeliveryAttempt
from api.db.engine import Database
from api.db.job_models import Escalation
from api.delivery.settings import DeliverySettings
from api.delivery.wiring import build_loop
from api.referrals.adapters import ReportLetters, letterhead_from
from api.referrals.schemas import ReferralCreate
from api.referrals.service import ReferralService
from api.referrals.views import LinkBuilder
from api.reminders.job import ReminderJob
from api.reminders.settings import ReminderSettings
from api.settings import DEFAULT_MODEL_PATH, Settings
from risk.assess import Assessor
from risk.errors import OsteorefError
from tests.api.delivery.smtp_server import Behaviour, Recorder, smtp_server

TOKEN = re.compile(r"/a/([0-9A-Z]{24})")
START = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)
PRACTICES = 25
FOLLOW_DAYS = 150  # long enough for every referral's 16-week window to close


@dataclass
class World:
    """The simulated clock, the tokens each letter carried, and the PCPs' pending answers."""

    now: dt.datetime = START
    letters: list[str] = field(default_factory=list)
    pending: list[tuple[dt.datetime, str, PcpAnswerIn]] = field(default_factory=list)

    def clock(self) -> dt.datetime:
        return self.now


def blank_pdfs(world: World, pages: Sequence[str]) -> list[bytes]:
    """One blank page per letter; the token each letter carries is noted (the PCP 'reads' it)."""
    out = []
    for page in pages:
        world.letters += TOKEN.findall(page)
        writer = PdfWriter()
        writer.add_blank_page(595, 842)
        buffer = io.BytesIO()
        writer.write(buffer)
        out.append(buffer.getvalue())
    return out


def record(rng: random.Random, n: int, day: dt.date) -> dict[str, object]:
    """A plausible post-kyphoplasty patient with a low-trauma fracture (no oncology/trauma path)."""
    return {
        "patient_id": f"SIM-{n:04d}",
        "given_name": "Sim",
        "family_name": f"Patient{n}",
        "sex": rng.choice(["female"] * 3 + ["male"]),
        "age_years": rng.randint(55, 92),
        "assessment_date": day.isoformat(),
        "procedure_date": day.isoformat(),
        "fracture_date": (day - dt.timedelta(days=rng.randint(3, 40))).isoformat(),
        "fracture_cause": "low_energy",
        "treated_levels": rng.sample(["T11", "T12", "L1", "L2"], k=rng.choice([1, 1, 2])),
        "prior_fragility_fractures": rng.choice([0, 0, 1, 2]),
        "falls_last_12_months": rng.choice([0, 0, 1, 2]),
    }


def pcp(rng: random.Random) -> dict[str, object]:
    """One of the practices: most take e-mail, some only post, two refuse mail."""
    k = rng.randrange(PRACTICES)
    email = None if k % 6 == 5 else f"gp{k}@practice{k}.example"
    return {
        "name": f"Dr GP {k}",
        "practice": f"Practice {k:02d}",
        "address": [f"{k} High St"],
        "email": email,
    }


def plan_answer(rng: random.Random, world: World, token: str, reminded: bool) -> None:
    """Whether and when the practice answers this letter (and what it says)."""
    if rng.random() > (0.45 if reminded else 0.7):
        return
    delay = dt.timedelta(days=min(60.0, rng.lognormvariate(1.6, 0.8)))
    choice = rng.choices(["received", "treatment_started", "declined", "not_registered"], [50, 30, 12, 8])[0]
    start = (world.now + delay - dt.timedelta(days=rng.randint(0, 3))).date()
    answer = {
        "received": PcpAnswerIn(answer="received"),
        "treatment_started": PcpAnswerIn(
            answer="treatment_started",
            drug_class=rng.choice(["oral_bisphosphonate", "zoledronic_acid", "denosumab"]),
            treatment_start_date=start,
        ),
        "declined": PcpAnswerIn(answer="declined", reason="patient prefers not to take medication"),
        "not_registered": PcpAnswerIn(answer="not_registered"),
    }[choice]
    world.pending.append((world.now + delay, token, answer))


def main() -> None:  # noqa: PLR0915 (a simulation script reads best top to bottom)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--referrals", type=int, default=500)
    parser.add_argument("--seed", type=int, default=16)
    args = parser.parse_args()
    rng, world = random.Random(args.seed), World()
    refused = {f"gp{k}@practice{k}.example": "550 5.1.1 mailbox unavailable" for k in (3, 17)}
    recorder = Recorder(Behaviour(refuse=refused, temporary_failures=25))
    directory = Path(tempfile.mkdtemp(prefix="osteoref-sim-"))
    database = Database.connect(f"sqlite:///{directory / 'sim.db'}")
    migrate.upgrade(database.engine)
    actor = authenticate(database, create_key(database, "coordinator", "simulation", None))
    settings = Settings(public_base_url="https://fls.example.org")
    scorer = Assessor.load(DEFAULT_MODEL_PATH, settings.rule_config())
    referrals = ReferralService(
        database,
        _Scorer(scorer),
        ReportLetters(letterhead_from(settings)),
        LinkBuilder(settings.public_base_url),
    )
    with smtp_server(recorder) as port:
        delivery = DeliverySettings(smtp_port=port, smtp_security="none", smtp_timeout_seconds=5)
        loop = build_loop(
            database,
            settings,
            lambda pages: blank_pdfs(world, pages),
            delivery=delivery,
            ack=AckSettings(ack_secret="simulation-secret-" + "s" * 32),
            clock=world.clock,
        )
        job = ReminderJob(database, loop.dispatcher, loop.deliveries, ReminderSettings(), world.clock, "sim")
        per_day = [args.referrals // 22 + (1 if i < args.referrals % 22 else 0) for i in range(22)]
        created, answered, day, reminders_seen = 0, Counter[str](), 0, set[str]()
        while day < 30 + FOLLOW_DAYS:
            world.now = START + dt.timedelta(days=day)
            weekday = world.now.weekday() < 5
            if weekday and day < 30 and per_day:
                for _ in range(per_day.pop(0)):
                    body = {
                        "patient": record(
                            rng, created, world.now.date() - dt.timedelta(days=rng.randint(1, 10))
                        ),
                        "pcp": pcp(rng),
                        "referrer": {"name": "Dr Spine"},
                    }
                    try:
                        made, _ = referrals.create(
                            actor, ReferralCreate.model_validate_json(_json(body)), None
                        )
                    except OsteorefError:
                        continue
                    created += 1
                    channel = "email" if body["pcp"]["email"] else "print"  # type: ignore[index]
                    loop.deliveries.request(actor, made.id, channel)
            before = len(world.letters)
            job.run()
            if weekday:
                with contextlib.suppress(OsteorefError):  # no letters waiting for post today
                    loop.print_batches.make(actor)
            for token in world.letters[before:]:
                try:
                    referral_id = str(loop.ack.open(token).referral.id)
                except OsteorefError:
                    continue  # that letter never arrived (refused): its token was revoked
                reminded = referral_id in reminders_seen
                reminders_seen.add(referral_id)
                plan_answer(rng, world, token, reminded)
            world.now += dt.timedelta(hours=6)
            due = [p for p in world.pending if p[0] <= world.now]
            world.pending = [p for p in world.pending if p[0] > world.now]
            for _, token, answer in due:
                try:
                    recorded = loop.ack.answer(token, answer)
                except OsteorefError:
                    answered["refused"] += 1
                    continue
                answered[answer.answer] += 1
                if recorded.follow_up is not None and rng.random() < 0.6:  # news about treatment, later
                    later = PcpAnswerIn(
                        answer="treatment_started",
                        drug_class="oral_bisphosphonate",
                        treatment_start_date=(world.now + dt.timedelta(days=14)).date(),
                    )
                    world.pending.append(
                        (world.now + dt.timedelta(days=rng.uniform(7, 40)), recorded.follow_up.token, later)
                    )
            day += 1
        world.now = START + dt.timedelta(days=30 + FOLLOW_DAYS)
        _report(database, recorder, created, answered, loop_tables(database).kpis(world.now))


class _Scorer:
    """The real Assessor under the workflow's Scorer port."""

    def __init__(self, assessor: Assessor) -> None:
        self._a = assessor
        self.model_info = assessor.model_info
        self.ruleset_version = assessor.ruleset_version

    def assess(self, record: object) -> object:
        return self._a.assess(record)  # type: ignore[arg-type]


def _json(body: dict[str, object]) -> str:
    import json  # noqa: PLC0415

    return json.dumps(body)


def _report(
    database: Database, recorder: Recorder, created: int, answered: Counter[str], kpis: object
) -> None:
    with database.reader() as session:
        statuses = Counter(
            f"{c}/{p}:{s}"
            for c, p, s in session.execute(select(Delivery.channel, Delivery.purpose, Delivery.status))
        )
        outcomes = Counter(session.scalars(select(DeliveryAttempt.outcome)))
        retried = session.scalar(select(func.count()).select_from(Delivery).where(Delivery.attempts > 1))
        escalations = Counter(session.scalars(select(Escalation.reason)))
    print(f"referrals created: {created}; e-mails accepted by the SMTP server: {len(recorder.messages)}")
    print(f"deliveries by channel/purpose:status: {dict(sorted(statuses.items()))}")
    print(f"attempt outcomes: {dict(outcomes)}; deliveries needing more than one attempt: {retried}")
    print(f"PCP answers: {dict(answered)}; escalations: {dict(escalations)}")
    print("loop KPIs (days from the procedure; treated ≤16 weeks among due referrals):")
    for g in kpis.groups:  # type: ignore[attr-defined]
        if g.group in ("all", "priority"):
            treated = f"{g.treated_16w_numerator}/{g.treated_16w_denominator} = {g.treated_16w_percent}%"
            print(
                f"  {g.group}:{g.value:8} n={g.referrals:3}  letter {g.letter_median_days}  "
                f"ack {g.ack_median_days} (n={g.ack_n})  "
                f"start {g.treatment_median_days} (n={g.treatment_n})  treated≤16w {treated}"
            )


if __name__ == "__main__":
    main()
