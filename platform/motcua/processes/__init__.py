"""Processes: upload-time validation of BPMN processes in the platform's dialect and their
e-forms (``bpmn_check``), and the stored process versions."""
