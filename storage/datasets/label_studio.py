"""Writes Label Studio's import file, streamed one task at a time, and the labeling config
beside it (both built by ``annotation.datasets.label_studio``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path


def write_label_studio(folder: Path, tasks: Iterable[Mapping[str, object]],
                       config: str) -> list[Path]:
    """Stream ``label_studio_tasks.json`` and write ``label_studio_config.xml``."""
    folder.mkdir(parents=True, exist_ok=True)
    tasks_path = folder / "label_studio_tasks.json"
    config_path = folder / "label_studio_config.xml"
    with tasks_path.open("w", encoding="utf-8") as handle:
        handle.write("[")
        for index, task in enumerate(tasks):
            handle.write(("," if index else "") + "\n" + json.dumps(task, ensure_ascii=False))
        handle.write("\n]\n")
    config_path.write_text(config, encoding="utf-8")
    return [tasks_path, config_path]
