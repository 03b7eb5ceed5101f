"""Calibration against the documented campaigns: objective, search, accepted ensemble,
leave-one-campaign-out, reports.

``sim.calibration.commands.register`` adds ``basmachi calibrate``. The Lanchester-ODE
baseline the agent-based model is compared with lives in :mod:`sim.lanchester_ode`.
"""
