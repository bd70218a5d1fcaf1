"""Dataset files: the export folder (``folder.py``, the ``DatasetFolder`` port) and the
writers it uses, one per format: CSV and JSONL tables, Hugging Face folders, Label Studio
tasks, and the zip parts sent in the chat. No SQL here; what goes in the files is decided
in ``annotation/datasets/``.
"""

from storage.datasets.folder import ExportFolder, open_dataset_folder

__all__ = ["ExportFolder", "open_dataset_folder"]
