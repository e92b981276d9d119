"""``report.html``: one self-contained page a planner can share — the headline table with its
intervals, per-operator tables, the figures (embedded as base64 PNG: no network access, no
files beside it), the differences between the policies' fares sections, validation verdicts and
provenance.  Every piece of scenario text is HTML-escaped.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from .version import __version__

if TYPE_CHECKING:
    from .compare import Comparison

_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 1100px; margin: 2em auto; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: right; }
th:first-child, td:first-child, td.text { text-align: left; }
caption { text-align: left; font-weight: bold; padding: 0.3em 0; }
pre { background: #f6f6f6; padding: 0.8em; overflow-x: auto; font-size: 0.85em; }
img { max-width: 100%; }
.warn { background: #fff3cd; padding: 0.6em; border-left: 4px solid #e0a800; }
.note { color: #555; font-size: 0.9em; }
"""


def _e(x: Any) -> str:
    return html.escape(str(x), quote=True)


def _num(x: Any, digits: int = 0) -> str:
    if x is None or (isinstance(x, float) and pd.isna(x)):
        return ""
    if isinstance(x, bool):
        return "yes" if x else "no"
    if isinstance(x, (int, float)):
        if abs(x) < 10 and digits == 0 and x != int(x):
            return f"{x:,.4f}".replace("-", "−")
        return f"{x:,.{digits}f}".replace("-", "−")
    return str(x)


def _table(df: pd.DataFrame, caption: str, text_columns: tuple[str, ...] = ()) -> str:
    head = "".join(f"<th>{_e(c)}</th>" for c in df.columns)
    rows = []
    for row in df.itertuples(index=False):
        cells = []
        for col, v in zip(df.columns, row):
            if col in text_columns or isinstance(v, str):
                cells.append(f'<td class="text">{_e(v)}</td>')
            elif col.startswith("p_") and isinstance(v, float) and not pd.isna(v):
                cells.append(f"<td>{_e(f'{v:.3g}')}</td>")  # a tiny p-value stays visible
            else:
                cells.append(f"<td>{_e(_num(v))}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return (f"<table><caption>{_e(caption)}</caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>")


def _img(path: Path, alt: str) -> str:
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return f'<figure><img alt="{_e(alt)}" src="data:image/png;base64,{data}"></figure>'


def _interval(iv: Any) -> str:
    if iv.mean is None:
        return ""
    if iv.low is None:
        return _num(iv.mean)
    digits = 4 if abs(iv.mean) < 10 and iv.mean != int(iv.mean) else 0
    return f"{_num(iv.mean, digits)} [{_num(iv.low, digits)}, {_num(iv.high, digits)}]"


def operator_table(c: Comparison, i: int) -> pd.DataFrame:
    """Scenario ``i``'s per-operator figures: mean [95% interval] per day."""
    from .compare_plots import _operators

    rows = []
    for op in _operators(c):
        row = {"operator": op}
        for fig, label in (("boardings", "boardings"), ("fare_revenue", "fare revenue"),
                           ("fare_revenue_cleared", "after clearing"), ("payment", "payment"),
                           ("subsidy", "subsidy")):
            row[label] = _interval(c.interval(i, f"operators.{op}.{fig}"))
        rows.append(row)
    return pd.DataFrame(rows)


def render(c: Comparison, headline: pd.DataFrame, elasticity: pd.DataFrame,
           figures: Mapping[str, Path]) -> str:
    """The report as one HTML document.

    Parameters
    ----------
    c
        The comparison.
    headline, elasticity
        :meth:`Comparison.headline` and :meth:`Comparison.elasticity`.
    figures
        PNG files by name (:func:`otrip_sim.compare_plots.save_all`), embedded in the page.

    Returns
    -------
    str
        The HTML text (UTF-8, no external resources).
    """
    first = c.loaded[0]
    title = f"{' vs '.join(c.names[1:])} against {c.names[0]}"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>otrip-sim comparison: {_e(title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>Comparison: {_e(title)}</h1>",
        "<ul>" + "".join(f"<li><b>{_e(n)}</b>: {_e(x.spec.meta.title or x.spec.meta.description or '')}</li>"
                         for n, x in zip(c.names, c.loaded)) + "</ul>",
        f'<p class="note">{len(c.reps[0])} replications of each scenario on common random numbers (the '
        f"same persons and draws under every policy), seed {_e(c.seed)}"
        + ("" if c.sample == 1 else f", a {c.sample:.0%} sample of persons with figures expanded to the day")
        + ". Intervals are 95% intervals of <b>simulation noise</b> (the spread between replications), not "
        "of parameter uncertainty; changes are paired by replication. Money in "
        f"{_e(c.currency)} per day.</p>",
    ]
    for w in c.warnings():
        parts.append(f'<p class="warn">Warning: {_e(w)}</p>')
    table = headline.copy()
    parts.append("<h2>Headline changes</h2>")
    parts.append(_table(table, f"Change against {c.names[0]}: paired 95% interval, paired t-test p-value and "
                        "Holm's adjustment for the number of figures (significant: p_holm < 0.05)"))
    if "headline" in figures:
        parts.append(_img(figures["headline"], "headline changes with intervals"))
    parts.append("<h2>Fare elasticity or subsidy per journey gained</h2>")
    parts.append(_table(elasticity, "Implied arc elasticity of journeys to the mean fare per journey where "
                        "every operator's fare changes by the same factor; otherwise the change in subsidy "
                        "per journey gained (empty: undefined)"))
    parts.append('<p class="note">User benefit (from logsums) is not reported: the behaviour model does not '
                 "provide logsums yet.</p>")
    parts.append("<h2>By operator</h2>")
    for i, name in enumerate(c.names):
        parts.append(_table(operator_table(c, i), f"{name}: mean per day [95% interval]"))
    if "operators" in figures:
        parts.append(_img(figures["operators"], "per-operator figures with error bars"))
    if "rider_groups" in figures:
        parts.append("<h2>Fare paid by rider group</h2>")
        parts.append(_img(figures["rider_groups"], "fare per journey by rider group"))
    if "income_groups" in figures:
        parts.append("<h2>Fare paid by income group</h2>")
        parts.append(_img(figures["income_groups"], "fare per journey by income group"))
    parts.append("<h2>Network: change in boardings</h2>")
    for i in range(1, len(c.names)):
        if f"map_{i}" in figures:
            parts.append(_img(figures[f"map_{i}"], f"network map of {c.names[i]}"))
    parts.append("<h2>What differs between the fare policies</h2>")
    for diff in c.fares_diff():
        parts.append(f"<pre>{_e(diff)}</pre>")
    parts.append("<h2>Validation</h2><ul>")
    for name, reps in zip(c.names, c.reps):
        verdicts = sorted({r.verdict for r in reps if r.verdict})
        text = "; ".join(verdicts) if verdicts else "no validation targets"
        parts.append(f"<li><b>{_e(name)}</b>: {_e(text)}</li>")
    parts.append("</ul>")
    parts.append("<h2>Provenance</h2>")
    prov = [{"scenario": n, "file": str(x.path), "seed": c.seed,
             "replications": ", ".join(str(r.replication) for r in reps),
             "overrides": ", ".join(f"{k}={v}" for k, v in x.overrides.items())}
            for n, x, reps in zip(c.names, c.loaded, c.reps)]
    parts.append(f"<p>otrip-sim {_e(__version__)}; sample {_e(c.sample)}; reference {_e(first.name)}.</p>")
    parts.append(_table(pd.DataFrame(prov), "Runs", ("scenario", "file", "replications", "overrides")))
    hashes = [{"scenario": n, "input": k, "sha256": v} for n, x in zip(c.names, c.loaded)
              for k, v in sorted(x.inputs.items())]
    parts.append(_table(pd.DataFrame(hashes), "Input files (SHA-256)", ("scenario", "input", "sha256")))
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
