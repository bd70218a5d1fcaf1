"""The typed ``CallbackContext`` every handler receives."""

from __future__ import annotations

from telegram.ext import CallbackContext, ExtBot

from handlers.services import SERVICES_KEY, Services


class AnnobotContext(CallbackContext[ExtBot[None], dict[object, object],
                                     dict[object, object], dict[object, object]]):
    """Callback context with typed access to the services."""

    @property
    def services(self) -> Services:
        """Return the services built by the composition root."""
        services = self.application.bot_data[SERVICES_KEY]
        assert isinstance(services, Services)
        return services
