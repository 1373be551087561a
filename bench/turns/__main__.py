"""Turn-taking on the corpus of caller answers: cut-offs and delays per kind of answer.

    uv run python -m bench.turns offline [--sweep]     # ~2 min: VADs, EOT model, replayed
    uv run python -m bench.turns live [--variants main,expected] [--calls 1,4]   # WebRTC

The corpus is tests/fixtures/audio/turns/ (three voices; phone numbers in groups, names,
dates and times with a hesitation, party sizes, short answers; every pause labelled). A
cut-off is a turn committed before the answer's true end; the delay runs from the true end
to the commit (offline: endpointing alone) or to the first reply audio the caller hears (live).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from dataclasses import replace

from agent.turns.endpointing import PATIENCE, TurnDelays
from bench.common import machine, p50_p95, percentile, table
from bench.turns.corpus import Utterance, load
from bench.turns.offline import Engine, Outcome, Variant, eot_separation, run
from core.settings import Settings

KINDS = list(PATIENCE)


def default(name: str) -> float:
    value: float = Settings.model_fields[name].default
    return value


DELAYS = TurnDelays(
    quick=default("turn_quick_seconds"),
    default=default("turn_default_seconds"),
    patient=default("turn_patient_seconds"),
    hold=default("turn_hold_seconds"),
)
# main before issue 12: the plugin's Silero at 0.55 s and livekit's fixed 0.5 s for every turn.
FIXED = TurnDelays(0.5, 0.5, 0.5, 0.5)


def offline_variants(sweep: bool) -> list[Variant]:
    found = [
        Variant("main: silero 0.55, fixed 0.5", "silero", 0.55, FIXED, expected=False),
        Variant("main with VAD silence 0.25", "silero", 0.25, FIXED, expected=False),
    ]
    # Each in pipeline mode (transcripts before the commit) and in realtime mode (none).
    expected: list[tuple[str, Engine, float, TurnDelays, bool]] = [
        ("expected, silero 0.25", "silero", 0.25, DELAYS, False),
        ("expected, native 0.25", "native", 0.25, DELAYS, False),
        ("expected, native 0.2", "native", 0.2, DELAYS, False),
        ("expected, native 0.2, quick 0.2", "native", 0.2, replace(DELAYS, quick=0.2), False),
        ("expected + audio EOT, native 0.25", "native", 0.25, DELAYS, True),
    ]
    for name, engine, silence, delays, eot in expected:
        for transcripts, mode in ((True, "pipeline"), (False, "realtime")):
            found.append(
                Variant(
                    f"{name}, {mode}", engine, silence, delays, transcripts=transcripts, eot=eot
                )
            )
    if sweep:
        base = Variant("", "native", 0.25, DELAYS, transcripts=False)
        for patient in (0.9, 1.0, 1.1, 1.3, 1.4):
            found.append(
                replace(
                    base,
                    name=f"sweep realtime, patient {patient}",
                    delays=replace(DELAYS, patient=patient, hold=max(patient, DELAYS.hold)),
                )
            )
        for value in (0.4, 0.6, 0.7):
            found.append(
                replace(
                    base,
                    name=f"sweep realtime, default {value}",
                    delays=replace(DELAYS, default=value),
                )
            )
    return found


def kind_rows(outcomes: Sequence[Outcome]) -> list[list[str]]:
    rows = []
    for kind in [*KINDS, None]:
        mine = [o for o in outcomes if kind is None or o.utterance.kind == kind]
        if not mine:
            continue
        pauses = sum(len(o.utterance.pauses) for o in mine)
        cut = [o for o in mine if o.cut]
        in_pause = sum(1 for o in cut if o.cut_in_pause is not None)
        delays = [o.committed - o.utterance.end for o in mine if not o.cut]
        rows.append(
            [
                kind or "all",
                str(len(mine)),
                str(pauses),
                f"{len(cut)} ({in_pause} in a pause)",
                p50_p95(delays),
            ]
        )
    return rows


def by_pause_length(outcomes: Sequence[Outcome], kinds: set[str]) -> str:
    """Numbers and names: answers cut, by the length of their longest pause."""
    buckets: dict[float, list[Outcome]] = {}
    for o in outcomes:
        if o.utterance.kind in kinds and o.utterance.pauses:
            longest = max(round(b - a, 1) for a, b in o.utterance.pauses)
            buckets.setdefault(longest, []).append(o)
    return ", ".join(
        f"{length:.1f} s: {sum(o.cut for o in found)}/{len(found)}"
        for length, found in sorted(buckets.items())
    )


def offline(args: argparse.Namespace) -> None:
    corpus = load()
    variants = offline_variants(args.sweep)
    outcomes, vad_cpu, eot_cpu = asyncio.run(run(corpus, variants))
    describe(corpus)
    print(f"\ndelays (s): {DELAYS}; fixed (main): {FIXED}\n")
    header = [
        "variant",
        "kind",
        "answers",
        "pauses",
        "cut-offs",
        "commit after true end p50 / p95 ms",
    ]
    rows = []
    for variant in variants:
        for row in kind_rows(outcomes[variant.name]):
            rows.append([variant.name, *row])
    print(table(header, rows))
    print("\nanswers cut, numbers and names, by their longest pause:")
    for variant in variants:
        print(f"  {variant.name}: {by_pause_length(outcomes[variant.name], {'phone', 'name'})}")
    print("\nVAD CPU per second of audio (one stream, this process):")
    for name, seconds in vad_cpu.items():
        print(f"  {name}: {seconds * 1000:.1f} ms")
    for name, seconds in eot_cpu.items():
        print(f"audio EOT (v1-mini) CPU per prediction, {name}: {seconds * 1000:.1f} ms")
    auc, pauses, ends = eot_separation(corpus)
    below = sum(p < 0.36 for p in ends)
    above = sum(p >= 0.36 for p in pauses)
    print(
        f"audio EOT (v1-mini) on the labels: AUC {auc:.2f} (real ends vs mid-answer pauses); at "
        f"its English threshold 0.36, {below}/{len(ends)} real ends judged unfinished and "
        f"{above}/{len(pauses)} pauses judged ended; P(ended) median at ends "
        f"{percentile(ends, 50):.2f}, in pauses {percentile(pauses, 50):.2f}"
    )


def describe(corpus: list[Utterance]) -> None:
    voices = sorted({u.voice for u in corpus})
    pauses = [b - a for u in corpus for a, b in u.pauses]
    print(
        f"corpus: {len(corpus)} answers, {len(pauses)} pauses ({min(pauses):.1f} to "
        f"{max(pauses):.1f} s), voices {', '.join(voices)}"
    )


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.turns", description=__doc__)
    modes = parser.add_subparsers(dest="mode", required=True)
    off = modes.add_parser("offline", help="the corpus through the VADs, endpointing replayed")
    off.add_argument(
        "--sweep", action="store_true", help="also sweep the patient and default delays"
    )
    from bench.turns.live import add_arguments

    add_arguments(modes.add_parser("live", help="over WebRTC with the stand-in models"))
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    print("\n".join(machine()))
    print(f"command: uv run python -m bench.turns {' '.join(sys.argv[1:])}".rstrip())
    if args.mode == "offline":
        offline(args)
    else:
        from bench.turns.live import live

        asyncio.run(live(args))


if __name__ == "__main__":
    main()
