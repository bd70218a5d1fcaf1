"""Task kinds: each module supplies how one kind of task is shown, answered and checked
(``annotation.kinds.base`` is the seam, ``annotation.kinds.registry`` the list)."""
