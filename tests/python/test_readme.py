"""Run the README's Python quickstart and check its set-up commands are the documented ones."""

import re
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README.read_text(), flags=re.S)


def test_quickstart_runs():
    code = blocks("python")
    assert code, "README has no python block"
    for block in code:
        exec(compile(block, str(README), "exec"), {})


def test_exactly_two_setup_commands():
    section = README.read_text().split("## Set up on a fresh machine")[1].split("\n## ")[0]
    commands = re.findall(r"```bash\n(.*?)```", section, flags=re.S)
    assert len(commands) == 2
    assert "pip install ." in commands[0]
    assert "saferstats assess --example all" in commands[0]
    assert commands[1].strip() == "bash tests/run.sh"
    ci = (README.parent / ".ci" / "run").read_text()
    assert "bash tests/run.sh" in ci
