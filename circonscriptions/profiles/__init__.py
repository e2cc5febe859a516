"""Voter profiles per bureau de vote: rules (pure), parameters, services (writes), queries
(reads), tasks, views, admin, charts and exports. The models stay in circonscriptions.models."""
