"""Registrations of assessment's rounds part, connected from AssessmentConfig.ready()."""


def connect():
    pass
