"""The code examples of docs/ and README.md work, by the convention of docs/README.md ("Code
examples"): a block's info string says what it is.  ``python`` blocks run (a page's in order, in one
namespace), ``python no-run`` ones must at least compile; ``sh`` blocks are cheap ``otrip-sim``
commands, run through the command line, and a ``text output`` block after one is what it prints;
``console`` blocks are shown, not run, but their commands must parse and name files that exist;
``text``, ``csv``, ``yaml``, ``json`` are shown as they are.  README.md's untagged blocks count as
console ones.  Examples run in a scratch folder whose ``scenarios/`` is the repository's: what
they write stays out of the repository."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from otrip_sim.cli import main

ROOT = Path(__file__).resolve().parent.parent
PAGES = [*sorted((ROOT / "docs").rglob("*.md")), ROOT / "README.md"]
RUN = {"python", "sh"}
SHOWN = {"console", "text", "csv", "yaml", "json"}
NO_RUN = "no-run"
FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,})(?P<info>[^`\n]*)\n(?P<body>.*?)"
                   r"^(?P=indent)(?P=fence)[ \t]*$", re.M | re.S)
COMMAND = re.compile(r"^(?:\$ )?(?:\.venv/bin/)?otrip-sim\b")


@dataclass(frozen=True)
class Block:
    """A fenced code block of a page: its language, the other words of its info string, its text."""

    page: Path
    line: int
    lang: str
    words: tuple[str, ...]
    body: str

    @property
    def where(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"

    @property
    def runs(self) -> bool:
        return self.lang in RUN and NO_RUN not in self.words


def _blocks(page: Path) -> list[Block]:
    text = page.read_text(encoding="utf-8")
    found = []
    for m in FENCE.finditer(text):
        lang, *words = m["info"].split() or [""]
        body = re.sub(rf"^{re.escape(m['indent'])}", "", m["body"], flags=re.M) if m["indent"] else m["body"]
        found.append(Block(page, text.count("\n", 0, m.start()) + 1, lang, tuple(words), body))
    return found


BLOCKS = [b for page in PAGES for b in _blocks(page)]


def _commands(block: Block) -> list[list[str]]:
    """The ``otrip-sim`` commands of a block as argument lists (the program name dropped); in a
    transcript (lines starting ``$ ``) only the prompted lines."""
    lines = block.body.replace("\\\n", " ").splitlines()
    if any(line.startswith("$ ") for line in lines):
        lines = [line for line in lines if line.startswith("$ ")]
    return [shlex.split(COMMAND.sub("", line), comments=True) for line in lines if COMMAND.match(line)]


def _synopsis(args: list[str]) -> list[str]:
    """A command without its optional ``[…]`` parts, ``…`` placeholders and ``> file`` redirect."""
    kept, depth = [], 0
    for arg in args:
        if arg == ">":
            break
        depth += arg.startswith("[")
        if depth == 0 and arg not in ("…", "..."):
            kept.append(arg)
        depth -= arg.endswith("]") and depth > 0
    return kept


def _arguments(command: click.Command, parsed: click.Context) -> list[str]:
    """The values of a parsed command's arguments (the files it reads; options' files it may write)."""
    values: list[str] = []
    for param in command.params:
        if isinstance(param, click.Argument):
            value = parsed.params.get(param.name or "")
            values += [str(v) for v in (value if isinstance(value, tuple) else (value,)) if v is not None]
    return values


@pytest.fixture
def scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder like the repository's root: its ``scenarios/`` folders are the repository's
    (linked), everything else an example writes lands in the scratch folder."""
    (tmp_path / "scenarios").mkdir()
    for entry in (ROOT / "scenarios").iterdir():
        (tmp_path / "scenarios" / entry.name).symlink_to(entry, target_is_directory=entry.is_dir())
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    return tmp_path


def test_every_block_in_docs_says_what_it_is():
    untagged = [b.where for b in BLOCKS if b.page != ROOT / "README.md" and b.lang not in RUN | SHOWN]
    assert not untagged, ("code blocks without a known info string (python, sh, console, text, csv, yaml, "
                          f"json; see docs/README.md): {untagged}")


def test_the_convention_is_used():
    assert any(b.lang == "python" and b.runs for b in BLOCKS)
    assert any(b.lang == "sh" and b.runs for b in BLOCKS)
    assert [b for b in BLOCKS if b.lang == "sh" and not b.runs] == [], "a shown command is a console block"
    outputs = [b for b in BLOCKS if "output" in b.words]
    assert outputs, "no text output block is checked"
    for b in outputs:
        page = [x for x in BLOCKS if x.page == b.page]
        before = page[page.index(b) - 1] if page.index(b) else None
        assert before is not None and before.lang == "sh" and before.runs, (
            f"{b.where}: a text output block follows the sh block whose output it shows")


PYTHON_PAGES = sorted({b.page for b in BLOCKS if b.lang == "python" and b.runs})


@pytest.mark.parametrize("page", PYTHON_PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_python_examples_run(page, scratch):
    import matplotlib.pyplot as plt

    namespace: dict[str, object] = {"__name__": "__docs__"}
    try:
        for block in (b for b in BLOCKS if b.page == page and b.lang == "python" and b.runs):
            exec(compile(block.body, block.where, "exec"), namespace)
    finally:
        plt.close("all")


@pytest.mark.parametrize("block", [b for b in BLOCKS if b.lang == "python" and not b.runs],
                         ids=lambda b: b.where)
def test_python_shown_is_python(block):
    compile(block.body, block.where, "exec")  # a shown example is still valid Python


SHELL = [b for b in BLOCKS if b.lang == "sh" and b.runs]


@pytest.mark.parametrize("block", SHELL, ids=lambda b: b.where)
def test_shell_examples_run(block, scratch):
    commands = _commands(block)
    lines = [line for line in block.body.replace("\\\n", " ").splitlines() if line.strip()]
    assert commands and len(commands) == len(lines), f"{block.where}: a sh block holds otrip-sim commands"
    for args in commands:
        out = args[args.index(">") + 1] if ">" in args else None
        args = args[: args.index(">")] if out else args
        result = CliRunner().invoke(main, args, catch_exceptions=False)
        assert result.exit_code == 0, f"{block.where}: otrip-sim {shlex.join(args)}\n{result.output}"
        if out:
            Path(out).write_text(result.stdout, encoding="utf-8")
    shown = _output_of(block)
    if shown is not None:
        assert _timeless(result.stdout) == _timeless(shown.body), (
            f"{shown.where}: the output shown is not what `otrip-sim {shlex.join(args)}` prints now:\n"
            f"{result.stdout}")


def _output_of(block: Block) -> Block | None:
    """The ``text output`` block right after ``block`` on its page: what its last command prints."""
    page = [b for b in BLOCKS if b.page == block.page]
    following = page[page.index(block) + 1:]
    if following and following[0].lang == "text" and "output" in following[0].words:
        return following[0]
    return None


def _timeless(text: str) -> str:
    """Output without its elapsed times (``0.2 s``), which change run to run."""
    return re.sub(r"\b\d+\.\d+ s\b", "<time> s", text).strip()


SHOWN_COMMANDS = [(b, args) for b in BLOCKS if b.lang in ("console", "sh", "") for args in _commands(b)]


@pytest.mark.parametrize("block, args", SHOWN_COMMANDS,
                         ids=[f"{b.where}:{a[0] if a else ''}" for b, a in SHOWN_COMMANDS])
def test_shown_commands_exist(block, args):
    args = _synopsis(args)
    ctx = main.make_context("otrip-sim", [], resilient_parsing=True)
    command = main.get_command(ctx, args[0]) if args else None
    assert command is not None, f"{block.where}: no command otrip-sim {args[:1]}"
    # an unknown option raises; values are not checked (a synopsis says SCENARIO, N)
    parsed = command.make_context(args[0], args[1:], parent=ctx, resilient_parsing=True)
    named = _arguments(command, parsed)
    missing = [a for a in named if a.startswith("scenarios/") and not (ROOT / a).exists()]
    assert not missing, f"{block.where}: no such file in the repository: {missing}"


# The pages a newcomer follows, and the commands' own --help examples, run exactly as written:
# every file they read ships in the repository (or an earlier command writes it under results/).
EXACT_PAGES = {ROOT / "README.md", ROOT / "docs" / "getting-started.md"}
INPUT_OPTIONS = {"taps", "targets", "map_file"}


def _help_examples() -> list[tuple[str, list[str]]]:
    """Each command's ``Example:`` lines of its help, as argument lists."""
    found = []
    ctx = main.make_context("otrip-sim", [], resilient_parsing=True)
    for name in main.list_commands(ctx):
        text = (main.get_command(ctx, name).help or "").replace("\\\n", " ")
        lines = text.split("Example:", 1)[1].splitlines() if "Example:" in text else []
        found += [(name, shlex.split(COMMAND.sub("", line.strip()))) for line in lines
                  if COMMAND.match(line.strip())]
    return found


HELP_EXAMPLES = _help_examples()
EXACT = ([(b.where, args) for b in BLOCKS if b.page in EXACT_PAGES and b.lang in ("console", "sh", "")
          for args in _commands(b)] + [(f"otrip-sim {name} --help", args) for name, args in HELP_EXAMPLES])


def test_every_command_shows_an_example():
    ctx = main.make_context("otrip-sim", [], resilient_parsing=True)
    assert sorted({name for name, _ in HELP_EXAMPLES}) == sorted(main.list_commands(ctx))


@pytest.mark.parametrize("where, args", EXACT, ids=[f"{w}:{a[0] if a else ''}" for w, a in EXACT])
def test_newcomers_commands_read_shipped_files(where, args):
    args = args[: args.index(">")] if ">" in args else args
    ctx = main.make_context("otrip-sim", [], resilient_parsing=True)
    command = main.get_command(ctx, args[0])
    assert command is not None, f"{where}: no command otrip-sim {args[:1]}"
    parsed = command.make_context(args[0], args[1:], parent=ctx, resilient_parsing=True)
    reads = _arguments(command, parsed) + [str(parsed.params[p]) for p in INPUT_OPTIONS
                                           if parsed.params.get(p) is not None]
    written_before = ("results/",)
    missing = [a for a in reads if not a.startswith(written_before) and not (ROOT / a).exists()]
    assert not missing, f"{where}: reads files the repository does not ship: {missing}"
