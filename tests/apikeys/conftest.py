from monopilot.api.testing import *  # noqa: F403
