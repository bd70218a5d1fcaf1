"""In-memory fakes of the ports in ``annotation.ports``: the core's use cases run on them."""
