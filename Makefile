# The two commands a newcomer needs; see README.md.
.PHONY: run test test-cluster lint infra-up infra-stop

run:  ## the whole platform with demo data, until Ctrl-C
	bash deploy/local/run.sh

test:  ## the whole test suite on real Kafka and a real MongoDB-wire server
	bash deploy/local/test.sh $(ARGS)

test-cluster:  ## the fault test on a local three-node Kafka cluster (brokers lost mid-stream); stops what it started
	bash deploy/local/python.sh
	@case "$$(bash deploy/local/infra.sh status)" in *"mongo: running"*) echo running;; *) echo stopped;; esac >.cluster-mongo-before
	bash deploy/local/infra.sh up --cluster
	REDZAAM_CLUSTER_TESTS=1 .venv/bin/python -m pytest -q -s tests/cluster $(ARGS); \
	status=$$?; bash deploy/local/infra.sh stop --cluster; \
	if [ "$$(cat .cluster-mongo-before)" = stopped ]; then bash deploy/local/infra.sh stop; fi; \
	rm -f .cluster-mongo-before; exit $$status

lint:
	bash deploy/local/python.sh
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/mypy

infra-up:
	bash deploy/local/python.sh
	bash deploy/local/infra.sh up

infra-stop:
	bash deploy/local/infra.sh stop
