"""govsim: discrete-event simulation of government-service processes."""
__version__ = "0.1.0"
