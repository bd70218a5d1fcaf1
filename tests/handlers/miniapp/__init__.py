"""Tests of the Mini App server."""
