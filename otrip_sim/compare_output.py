"""Write a comparison's folder, completely or not at all (:func:`otrip_sim.atomic.atomic_folder`).

Files: ``comparison.csv``, ``headline.csv``, ``elasticity.csv``, ``fares_diff.txt``,
``warnings.txt`` (when the scenarios differ in more than their fares), ``plots/*.png``,
``report.html`` and ``manifest.json`` (docs/compare.md).
"""

from __future__ import annotations

import json
from pathlib import Path

from .atomic import atomic_folder
from .compare import Comparison
from .compare_plots import save_all
from .report import render
from .version import __version__


def inputs_of(c: Comparison) -> list[Path]:
    """Every file the compared scenarios read (an output folder must not hold one)."""
    out = []
    for x in c.loaded:
        out += [x.path, *(x.path.parent / name for name in x.inputs)]
    return out


def write_comparison(c: Comparison, out: str | Path, force: bool = False) -> Path:
    """Write the comparison's tables, plots and report into the folder ``out``.

    Parameters
    ----------
    c : Comparison
        From :func:`otrip_sim.compare.compare`.
    out : str or Path
        The folder to create.
    force : bool
        Replace a non-empty ``out`` that otrip-sim wrote (once the new one is complete).

    Returns
    -------
    Path
        The folder.
    """
    out = Path(out)
    with atomic_folder(out, force, inputs_of(c)) as tmp:
        c.rows().to_csv(tmp / "comparison.csv", index=False)
        headline = c.headline()
        headline.to_csv(tmp / "headline.csv", index=False)
        elasticity = c.elasticity()
        elasticity.to_csv(tmp / "elasticity.csv", index=False)
        (tmp / "fares_diff.txt").write_text("\n\n".join(c.fares_diff()) + "\n", encoding="utf-8")
        warnings = c.warnings()
        if warnings:
            (tmp / "warnings.txt").write_text("\n".join(warnings) + "\n", encoding="utf-8")
        figures = save_all(c, tmp / "plots")
        (tmp / "report.html").write_text(render(c, headline, elasticity, figures), encoding="utf-8")
        manifest = {
            "otrip_sim_version": __version__,
            "scenarios": [{"name": n, "file": str(x.path), "overrides": dict(x.overrides),
                           "inputs_sha256": x.inputs} for n, x in zip(c.names, c.loaded)],
            "seed": c.seed,
            "sample": c.sample,
            "replications": [r.replication for r in c.reps[0]],
            "files": sorted(p.relative_to(tmp).as_posix() for p in tmp.rglob("*") if p.is_file()),
        }
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return out
