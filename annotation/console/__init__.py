"""The coordinator's console: project lifecycle, broadcasts, reminders, earnings, stats, quality."""
