"""Registrations of assessment's adjustments part, connected from AssessmentConfig.ready()."""


def connect():
    pass
