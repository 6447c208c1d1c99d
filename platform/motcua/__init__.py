"""motcua: BPMN processes and e-forms for Vietnam's one-stop administrative procedure systems."""

from motcua.app import create_app

__all__ = ["create_app"]
