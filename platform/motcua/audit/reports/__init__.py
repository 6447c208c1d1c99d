"""Statistics, the periodic report, the leader's dashboard, charts and exports."""
