"""Parameter studies: ``polycat study STUDY.yaml``.

A study file names a base run config, the config paths that vary (a grid and/or zipped
lists) and the replicate seeds. Every resolved case gets a stable id (a hash of its
resolved config) and its own results directory under the study directory; cases run
locally in a pool or as a SLURM job array; finished cases are never rerun; the results
are aggregated into study.csv, study_summary.csv and plots/. See docs/studies.md.

Modules: `schema` (the study file), `expand` (cases and ids), `state` (the study
directory, case states, locks), `launch` (one case as a subprocess), `local` (the pool),
`slurm` (job array, progress), `task` (one array task), `aggregate` (tables), `plots`,
`api` (what the CLI calls). No module here imports FEniCSx.
"""

from polycat.study.api import (
    aggregate,
    cases_table,
    counts_line,
    run_local_study,
    statuses,
    submit_slurm_study,
)
from polycat.study.expand import Case, Study, case_id, load_study
from polycat.study.schema import StudyConfig

__all__ = [
    "Case",
    "Study",
    "StudyConfig",
    "aggregate",
    "case_id",
    "cases_table",
    "counts_line",
    "load_study",
    "run_local_study",
    "statuses",
    "submit_slurm_study",
]
