"""Registrations of this part of the pool, connected from TrainingConfig.ready()."""


def connect():
    pass
