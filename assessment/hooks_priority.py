"""Registrations of assessment's priority part, connected from AssessmentConfig.ready()."""


def connect():
    pass
