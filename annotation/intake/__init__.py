"""Intake: project specs and items files validated all or nothing, and the catalog of projects."""
