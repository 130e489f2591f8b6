"""What every workload's config shares: Kubernetes' types, pods, rollouts, node selection.

Below redis/ and filebeat/, which build on it and never the other way; kept
free of imports here, so loading one type does not load every model.
"""
