"""The `polycat` command line: one entry point, subcommands by task.

    polycat run CONFIG [--out DIR] [--set section.key=value ...]
    polycat mesh CONFIG [--set ...]
    polycat validate CONFIG [--set ...]
    polycat study STUDY
    polycat report DIR
    polycat schema
    polycat materials [NAME] [--json]

Every subcommand accepts ``mpirun -n N polycat ...``; only rank 0 prints. Errors
that are the user's to fix (a bad config, a missing file) print one message and
exit with status 2, before any expensive work.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Sequence

from polycat import __version__
from polycat.config import dump_config, load_config
from polycat.config.loading import config_notes
from polycat.errors import (
    ConfigError,
    ContactLost,
    GeometryError,
    PhysicalEnd,
    RunInterrupted,
    SolverError,
)

log = logging.getLogger("polycat")

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2


def env_rank() -> int:
    """This process's MPI rank read from the launcher's environment (no MPI import)."""
    for var in ("PMI_RANK", "OMPI_COMM_WORLD_RANK", "PMIX_RANK", "SLURM_PROCID"):
        value = os.environ.get(var)
        if value is not None and value.isdigit():
            return int(value)
    return 0


def setup_logging(rank: int, verbose: bool = False) -> None:
    """Log to stderr from rank 0 only; other ranks log errors only. ``-v`` shows polycat's
    own debug messages (solver iterations, residuals, step sizes per step); third-party
    libraries (FFCx, UFL, matplotlib, h5py, ...) log warnings and errors only."""
    level = logging.DEBUG if verbose else logging.INFO
    if rank != 0:
        level = logging.ERROR
    logging.basicConfig(
        level=logging.WARNING, format="%(levelname)s %(message)s", stream=sys.stderr
    )
    log.setLevel(level)


def _say(text: str) -> None:
    if env_rank() == 0:
        print(text)


def _add_config_args(p: argparse.ArgumentParser, optional: bool = False) -> None:
    if optional:
        p.add_argument("config", nargs="?", help="run config (YAML)")
    else:
        p.add_argument("config", help="run config (YAML)")
    p.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="SECTION.KEY=VALUE",
        help="override a config field, e.g. --set geometry.n_grains=10 (repeatable)",
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    parser = argparse.ArgumentParser(
        prog="polycat",
        description=(
            "Chemo-mechanics of polycrystalline cathode particles in solid-state batteries: "
            "Li diffusion coupled with anisotropic, SOC-dependent lattice strain (DOLFINx)."
        ),
    )
    parser.add_argument("--version", action="version", version=f"polycat {__version__}")
    parser.add_argument(
        "-v", "--verbose", action="store_true",
        help="solver diagnostics: iterations, residuals and step size of every step",
    )  # fmt: skip
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("run", help="mesh (or reuse), solve and report one config")
    _add_config_args(p, optional=True)
    p.add_argument("--out", help="results directory (overrides output.dir)")
    p.add_argument("--overwrite", action="store_true", help="replace an existing results directory")
    p.add_argument(
        "--resume",
        metavar="DIR",
        help="continue the interrupted run in DIR from its last checkpoint (its own config)",
    )
    p.add_argument(
        "--force",
        action="store_true",
        help="run even if the memory estimate says the run does not fit this machine",
    )

    p = sub.add_parser("mesh", help="build (or reuse) the mesh of a config only")
    _add_config_args(p)
    p.add_argument(
        "--export",
        metavar="FORMAT",
        action="append",
        default=[],
        help="also write the tagged mesh for other FE codes: vtu, inp (Abaqus), med "
        "(repeatable; into the mesh folder, or --export-dir)",
    )
    p.add_argument("--export-dir", metavar="DIR", help="folder of the exported meshes")

    p = sub.add_parser(
        "validate",
        help="run every pre-flight check of `run` and print the config fully resolved",
    )
    _add_config_args(p)
    p.add_argument(
        "--force", action="store_true", help="do not refuse a run that the memory estimate says "
        "does not fit this machine (as run --force)",
    )  # fmt: skip

    p = sub.add_parser(
        "study",
        help="run a parameter study (sweeps, seeds)",
        description="Expand a study file into cases and run those not yet completed (local "
        "pool or SLURM job array); --status, --aggregate and --dry-run run nothing.",
    )
    p.add_argument("study", help="study file (YAML)")
    p.add_argument(
        "--launcher", choices=("local", "slurm"), help="override the study file's launcher"
    )
    p.add_argument(
        "--max-parallel",
        type=int,
        metavar="N",
        help="cases at once (local pool; with slurm the job-array throttle %%N)",
    )
    p.add_argument("--out", help="study directory (overrides output.dir)")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--dry-run", action="store_true", help="list the cases; run nothing")
    mode.add_argument(
        "--status", action="store_true", help="print each case's status; aggregate what is done"
    )
    mode.add_argument(
        "--aggregate", action="store_true", help="rebuild study.csv, study_summary.csv, plots"
    )

    p = sub.add_parser(
        "report",
        help="rebuild the plots of a finished run; with --set readers.…, its risk tables "
        "under other failure criteria (nothing is solved again)",
    )
    p.add_argument("dir", help="results directory of a run")
    p.add_argument(
        "--set", dest="overrides", action="append", default=[], metavar="readers.KEY=VALUE",
        help="another failure criterion, e.g. --set readers.gb_strength_MPa=300 (repeatable): "
        "the risk columns of summary.csv and boundaries.csv are read again from the stored "
        "facet tractions",
    )  # fmt: skip
    p.add_argument(
        "--out", metavar="DIR",
        help="with --set: write the re-read run into this new directory (a copy without "
        "fields and checkpoint) instead of in place",
    )  # fmt: skip

    p = sub.add_parser(
        "schema", help="print the JSON Schema (or a Markdown reference) of run configs"
    )
    p.add_argument(
        "--format", choices=("json", "markdown"), default="json",
        help="json: the JSON Schema; markdown: a readable field reference (docs/config.md)",
    )  # fmt: skip
    p = sub.add_parser(
        "materials",
        help="list the built-in materials with their sources and evidence levels",
    )
    p.add_argument("name", nargs="?", help="show one material (name or alias)")
    p.add_argument(
        "--json",
        action="store_true",
        help="print JSON (every value with its source and evidence level) for scripts",
    )
    return parser


def cmd_validate(args: argparse.Namespace) -> int:
    """`polycat validate`: run every check `polycat run` makes before meshing (schema,
    plausibility, material window, grain resolution, memory), then print the resolved
    config, headed by the defaults it relies on and what has no effect (YAML comments)."""
    from polycat.preflight import check_and_plan

    cfg = load_config(args.config, args.overrides)
    est, _ = check_and_plan(cfg, force=args.force)
    head = [f"# {note}" for note in config_notes(cfg)]
    head.append(f"# pre-flight: {est.describe()}")
    out = _results_dir_note(cfg.output.dir)
    if out:
        head.append(f"# {out}")
    _say("\n".join([*head, dump_config(cfg).rstrip()]))
    return EXIT_OK


def _results_dir_note(path: str) -> str | None:
    """What `polycat run` would say about ``output.dir`` as it is now (None: fine)."""
    from pathlib import Path

    from polycat.simulation.restart import run_status

    d = Path(path)
    if not d.is_dir() or not any(d.iterdir()):
        return None
    status = run_status(d)
    if status == "failed":
        return f"output.dir {d} holds a failed run: polycat run replaces it"
    if status in ("interrupted", "running"):
        return (
            f"output.dir {d} holds an unfinished run ({status}): polycat run refuses it; "
            f"continue it with polycat run --resume {d}, or pass --overwrite"
        )
    return f"output.dir {d} is not empty ({status or 'files'}): polycat run needs --overwrite"


def cmd_schema(args: argparse.Namespace) -> int:
    """`polycat schema [--format json|markdown]`: the JSON Schema of run configs, or the
    Markdown field reference (types, defaults, bounds, plausible ranges, meanings)."""
    from polycat.config import RunConfig

    if getattr(args, "format", "json") == "markdown":
        from polycat.config.reference import schema_markdown

        _say(schema_markdown().rstrip())
    else:
        _say(json.dumps(RunConfig.model_json_schema(), indent=2))
    return EXIT_OK


def cmd_materials(args: argparse.Namespace) -> int:
    """`polycat materials [NAME] [--json]`: the built-in materials with their sources."""
    from polycat.materials import (
        CathodeMaterial,
        UnknownMaterialError,
        describe_cathode,
        describe_electrolyte,
        describe_materials,
        find_material,
        materials_json,
    )

    name = getattr(args, "name", None)
    try:
        if getattr(args, "json", False):
            _say(materials_json(name))
        elif name is None:
            _say(describe_materials())
        else:
            m = find_material(name)
            text = (
                describe_cathode(m) if isinstance(m, CathodeMaterial) else describe_electrolyte(m)
            )
            _say(text)
    except UnknownMaterialError as exc:
        if env_rank() == 0:
            print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_OK


def cmd_mesh(args: argparse.Namespace) -> int:
    """`polycat mesh`: build (or reuse) the mesh folder and the orientation table."""
    from pathlib import Path

    from polycat.config.resolve import resolve
    from polycat.exports.mesh_export import EXPORT_FORMATS, format_problem

    for fmt in args.export:  # refused before any meshing
        problem = format_problem(fmt)
        if problem is not None:
            raise ConfigError(problem)
    plan = resolve(load_config(args.config, args.overrides))
    from polycat.simulation import prepare_mesh, write_orientation_table

    folder = prepare_mesh(plan)
    _say(f"mesh folder: {folder}")
    if env_rank() == 0:
        table = write_orientation_table(plan, folder)
        _say(f"orientations ({plan.orientation.texture}): {table}")
        from polycat.exports.mesh_export import export_mesh

        for fmt in args.export:
            target = None
            if args.export_dir:
                target = Path(args.export_dir) / f"mesh{EXPORT_FORMATS[fmt]}"
            _say(f"{fmt}: {export_mesh(folder, fmt, target)}")
    return EXIT_OK


def cmd_run(args: argparse.Namespace) -> int:
    """`polycat run`: check, plan and run one config (or resume a run). SIGINT, SIGTERM and
    SIGHUP stop it cleanly at the end of the current step (:mod:`polycat.interrupts`)."""
    from polycat.interrupts import StopRequests

    stop = StopRequests().install()
    try:
        return _run(args, stop)
    finally:
        stop.restore()


def _run(args: argparse.Namespace, stop: object) -> int:
    from pathlib import Path

    overrides = list(args.overrides)
    resume = args.resume is not None
    if resume:
        d = Path(args.resume)
        clash = [
            name
            for name, given in (
                ("CONFIG", args.config),
                ("--set", args.overrides),
                ("--out", args.out),
                ("--overwrite", args.overwrite),
            )
            if given
        ]
        if clash:
            raise ConfigError(
                f"--resume {d} continues that run with its own config.resolved.yaml; drop "
                + ", ".join(clash)
            )
        from polycat.simulation.restart import check_resume_dir, run_status

        saved = check_resume_dir(d)
        if run_status(d) == "completed":
            _say(f"{d} holds a completed run; nothing to resume")
            return EXIT_OK
        cfg = load_config(saved, [f"output.dir={d}"])
        defaulted = _recorded_defaults(d)
    else:
        if args.config is None:
            raise ConfigError("polycat run needs a CONFIG file (or --resume DIR)")
        if args.out:
            overrides.append(f"output.dir={args.out}")
        cfg = load_config(args.config, overrides)
        defaulted = {}
        if env_rank() == 0:
            for note in config_notes(cfg):
                log.warning("%s", note)
    from polycat.preflight import check_and_plan

    _, plan = check_and_plan(cfg, force=args.force)
    if defaulted:
        import dataclasses

        plan = dataclasses.replace(plan, defaulted={**defaulted, **plan.defaulted})
    from polycat.headline import headline_table
    from polycat.simulation import run

    try:
        out = run(plan, overwrite=args.overwrite, resume=resume, stop=stop)
    except PhysicalEnd:  # an outcome: the SOCs reached are the result
        if env_rank() == 0 and (plan.output.dir / "summary.csv").is_file():
            print(headline_table(plan.output.dir))
        raise
    if env_rank() == 0:
        print(headline_table(out))
    return EXIT_OK


def _recorded_defaults(d: object) -> dict[str, object]:
    """The decisive defaults the run in ``d`` recorded in its run.json (its
    config.resolved.yaml states every value, so they cannot be told from it)."""
    from pathlib import Path

    try:
        data = json.loads((Path(str(d)) / "run.json").read_text(encoding="utf-8"))
        found = data.get("materials", {}).get("defaulted", {})
    except (OSError, ValueError, AttributeError):
        return {}
    return dict(found) if isinstance(found, dict) else {}


def cmd_study(args: argparse.Namespace) -> int:
    """`polycat study`: expand, run, follow or aggregate a parameter study."""
    from polycat import study as st

    if args.max_parallel is not None and args.max_parallel < 1:
        raise ConfigError(f"--max-parallel {args.max_parallel}: give at least 1")
    study = st.load_study(args.study, out_dir=args.out)
    if args.dry_run:
        print(f"study {study.name}: {len(study.cases)} cases in {study.dir}")
        print(st.cases_table(study))
        return EXIT_OK
    if args.status or args.aggregate:
        sts = st.statuses(study)
        if args.status:
            print(f"study {study.name} ({study.dir})")
            print(st.cases_table(study, sts))
        st.aggregate(study, sts)
        print(st.counts_line(sts))
        return EXIT_OK
    launcher = args.launcher or study.spec.launcher
    if launcher == "slurm":
        job = st.submit_slurm_study(study, args.max_parallel)
        if job is None:
            print(f"study {study.name}: every case is completed or queued; nothing submitted")
        else:
            print(f"submitted job array {job} ({study.dir / 'slurm' / 'study.sbatch'})")
            print(f"follow it with: polycat study {args.study} --status")
        return EXIT_OK
    code = st.run_local_study(study, args.max_parallel)
    print(st.counts_line(st.statuses(study)))
    if code > 128:
        import signal

        name = signal.Signals(code - 128).name
        print(
            f"study {study.name} interrupted by {name}: its running cases are marked "
            f"interrupted, finished ones are kept; continue with: polycat study {args.study}",
            file=sys.stderr,
        )
    return code


def cmd_report(args: argparse.Namespace) -> int:
    """`polycat report`: rebuild the plots of a results directory and print its headline
    table; with ``--set readers.…`` first read its risk tables again under those criteria
    (:mod:`polycat.criteria`)."""
    from pathlib import Path

    from polycat.headline import headline_table
    from polycat.reports import build_plots

    d = Path(args.dir)
    if not (d / "summary.csv").is_file():
        raise ConfigError(f"{d}: no summary.csv here; give the results directory of a run")
    if args.out is not None and not args.overrides:
        raise ConfigError("report --out writes a re-read copy: give the criteria with --set")
    if env_rank() == 0:
        if args.overrides:
            from polycat.criteria import reread_criteria

            d = reread_criteria(d, args.overrides, Path(args.out) if args.out else None)
            print(f"{d}: risk tables read again with {' '.join(args.overrides)}")
        for path in build_plots(d):
            print(path)
        print(headline_table(d))
    return EXIT_OK


COMMANDS = {
    "run": cmd_run,
    "mesh": cmd_mesh,
    "validate": cmd_validate,
    "study": cmd_study,
    "report": cmd_report,
    "schema": cmd_schema,
    "materials": cmd_materials,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    setup_logging(env_rank(), args.verbose)
    try:
        return COMMANDS[args.command](args)
    except RunInterrupted as exc:
        if env_rank() == 0:
            print(_interrupted_message(exc), file=sys.stderr, flush=True)
        return exc.exit_code
    except KeyboardInterrupt:  # a command without a run (validate, mesh, study --status)
        if env_rank() == 0:
            print("interrupted (SIGINT)", file=sys.stderr)
        return 128 + 2
    except (ConfigError, GeometryError) as exc:  # raised identically on every rank
        if env_rank() == 0:
            print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except PhysicalEnd as exc:  # a physical end, raised on every rank: not a failure
        if env_rank() == 0:
            what = "contact lost" if isinstance(exc, ContactLost) else "surface limit reached"
            print(f"stopped: {what}: {exc}", file=sys.stderr)
        return EXIT_OK
    except SolverError as exc:  # collective failures: every rank raises the same error
        if env_rank() == 0:
            print(f"error: solver failed: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except Exception as exc:
        _abort_if_parallel(exc)
        raise


def _interrupted_message(exc: RunInterrupted) -> str:
    """What an interrupted run prints: where it stopped and the command that continues it."""
    d = exc.results_dir or "DIR"
    done = f"after SOC {exc.last_soc:g}" if exc.last_soc is not None else "before its first SOC"
    size = os.environ.get("PMI_SIZE") or os.environ.get("OMPI_COMM_WORLD_SIZE") or "1"
    launch = f"mpiexec -n {size} " if size.isdigit() and int(size) > 1 else ""
    return (
        f"polycat: {exc} {done}; {d}/run.json says status: interrupted\n"
        f"continue it with: {launch}polycat run --resume {d}"
    )


def _abort_if_parallel(exc: BaseException) -> None:
    """An error on one rank must not leave the others waiting in a collective: print it
    once (from the failing rank) and abort the whole MPI job."""
    if "mpi4py.MPI" not in sys.modules:
        return
    from mpi4py import MPI

    comm = MPI.COMM_WORLD
    if comm.size == 1:
        return
    from polycat.interrupts import abort_job

    abort_job(comm, f"error ({type(exc).__name__}) on rank {comm.rank}: {exc}", EXIT_FAILED)


def entry_point() -> None:  # pragma: no cover - thin wrapper for the console script
    """The `polycat` console script."""
    try:
        sys.exit(main())
    except BrokenPipeError:  # output piped into `head` and the like
        sys.stderr.close()
        sys.exit(EXIT_OK)
