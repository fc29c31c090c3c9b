# Lamina: AWS-Lambda-style functions on Kubernetes.
# `make up` brings everything up on this machine; `make test` runs every test tier.
# `make help` lists the targets.

SHELL := /bin/bash
.DEFAULT_GOAL := help
export DOTNET_CLI_TELEMETRY_OPTOUT := 1
export DOTNET_NOLOGO := 1

HACK := hack

.PHONY: help
help: ## List the targets
	@grep -hE '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{ printf "  %-18s %s\n", $$1, $$2 }'

# --- build -----------------------------------------------------------------------------------

.PHONY: build
build: ## Build the solution (warnings are errors)
	dotnet build Operator.sln --nologo -v quiet

.PHONY: generate
generate: ## Regenerate the checked-in CRDs (crds/ and the chart's charts/lamina/templates/crds/) from the C# API types; unit tests fail when they are stale
	dotnet run --project operator/Lamina.Tools -- crds crds --chart charts/lamina/templates/crds

.PHONY: kubernetes
kubernetes: ## Install etcd and build the Kubernetes binaries from Debian's source package, once, into the cache
	$(HACK)/cluster/build-kubernetes.sh

.PHONY: images
images: ## Build the project's images and import them into the local cluster when it runs
	$(HACK)/images/build-all.sh

# --- local cluster ---------------------------------------------------------------------------

.PHONY: cluster-up
cluster-up: ## Start (or reuse) the single-node cluster; prints `export KUBECONFIG=...` last
	$(HACK)/cluster/up.sh

.PHONY: cluster-down
cluster-down: ## Stop the cluster's processes, unmount, remove its state
	$(HACK)/cluster/down.sh

.PHONY: cluster-status
cluster-status: ## Say what runs and what does not
	$(HACK)/cluster/status.sh

# --- tests: unit -> integration -> e2e, each failing loudly when it cannot run ---------------

.PHONY: test
test: ## Run every test tier in order; the last line counts them all
	@rm -f artifacts/test-results/*.counts
	$(MAKE) --no-print-directory test-unit
	$(MAKE) --no-print-directory test-integration
	$(MAKE) --no-print-directory test-e2e
	@$(HACK)/test-summary.sh

.PHONY: test-unit
test-unit: build ## Unit tests (no servers; promtool checks the metrics format)
	$(HACK)/test-tools.sh
	$(HACK)/test-tier.sh Unit

.PHONY: test-integration
test-integration: build kubernetes ## Integration tests: a real kube-apiserver fixture; the runtime shim with real runtimes; real redis-server for async invocations; real docker-registry for the code store
	$(HACK)/test-tools.sh
	$(HACK)/images/node-runtime.sh >/dev/null
	$(HACK)/redis.sh
	$(HACK)/registry.sh
	$(HACK)/test-tier.sh Integration

.PHONY: test-e2e
test-e2e: build cluster-up images ## End-to-end tests on the local cluster
	$(HACK)/test-tier.sh EndToEnd

# --- the whole product -------------------------------------------------------------------------

.PHONY: up
up: build ## Lamina by its Helm chart on KUBECONFIG's cluster or the local one (brought up first), the examples, one invocation; ends with three lines to eval
	@$(HACK)/up.sh

.PHONY: bench
# make bench [SCENARIO=<name>] [SIZE=<n>]; the old form BENCH_ARGS="<name> <n>" still works (it wins when set).
SCENARIO ?= all
SIZE ?=
BENCH_ARGS ?= $(SCENARIO) $(SIZE)
bench: kubernetes cluster-up images ## Every benchmark scenario, or one (SCENARIO=gateway SIZE=2000; `make bench SCENARIO=list` lists them), each a ratio against baselines measured in the same run; results and plots in bench/results/
	$(HACK)/bench.sh $(BENCH_ARGS)

.PHONY: bench-smoke
bench-smoke: kubernetes cluster-up images ## Every benchmark scenario at its smallest (a few minutes; the numbers mean nothing): checks each still runs and writes its results
	$(HACK)/bench.sh --smoke all

.PHONY: run-operator
run-operator: ## Run the operator and the concurrency controller (gRPC on 127.0.0.1:8082) in the foreground against .lamina/kubeconfig (installs the CRDs first)
	kubectl --kubeconfig .lamina/kubeconfig apply -f crds/
	KUBECONFIG=$(CURDIR)/.lamina/kubeconfig dotnet run --project operator/Lamina.Operator -- $(OPERATOR_ARGS)

.PHONY: run-gateway
run-gateway: ## Run a gateway on 127.0.0.1:8080 against .lamina/kubeconfig; it finds the controller through the operator's Lease (GATEWAY_ARGS="--urls http://127.0.0.1:8090 --Lamina:Gateway:Code:Url=http://127.0.0.1:8095" for a second replica; the code endpoint is on 127.0.0.1:8085, --auth=none for local development)
	kubectl --kubeconfig .lamina/kubeconfig apply -f crds/
	KUBECONFIG=$(CURDIR)/.lamina/kubeconfig dotnet run --project operator/Lamina.Gateway -- $(GATEWAY_ARGS)

.PHONY: run-worker
run-worker: ## Run async workers (health and /metrics on 127.0.0.1:8083) against .lamina/kubeconfig: they run the Event invocations gateways stored (WORKER_ARGS="--Lamina:Gateway:Async:Redis=127.0.0.1:6379 --Lamina:Gateway:Async:EventSigningKey=<the gateways' key>", the same as the gateways')
	kubectl --kubeconfig .lamina/kubeconfig apply -f crds/
	KUBECONFIG=$(CURDIR)/.lamina/kubeconfig dotnet run --project operator/Lamina.Gateway -- worker $(WORKER_ARGS)

.PHONY: code-push
code-push: ## Put a zip into make up's code store and print the Function spec lines: ZIP=function.zip NAMESPACE=default [LAYER=1] (docs/code-store.md)
	@ZIP="$(ZIP)" NAMESPACE="$(NAMESPACE)" LAYER="$(LAYER)" $(HACK)/code-push.sh

.PHONY: dead-letter
dead-letter: ## A function's failed async events: DEAD_LETTER_ARGS="list|show <id>|redrive <id>|redrive --all <ns>/<fn> --redis host:port" (docs/async.md)
	dotnet run --project operator/Lamina.Gateway -- dead-letter $(DEAD_LETTER_ARGS)

.PHONY: clean
clean: ## Remove build output (not the cache, not the cluster)
	rm -rf artifacts
