#!/usr/bin/env bash
# Regenerates the CRD bindings in src/crds/ from the CRD files kept in ../shared/crds/.
# The cdk8s CLI imports only the first CRD of a multi-file call, so each CRD gets its own call,
# with a module prefix so that CRDs of one API group do not overwrite each other.
set -euo pipefail
cd "$(dirname "$0")/.."
crds=${CRDS_DIR:-../shared/crds}
[ -d "$crds" ] || { echo "import-crds: $crds not found (set CRDS_DIR)" >&2; exit 1; }

import() { # <module name> <crd file>
  npx cdk8s import --language typescript --output src/crds "$1:=$crds/$2"
}
import keda-scaledobject keda-v2.20.2/keda.sh_scaledobjects.yaml
import keda-triggerauthentication keda-v2.20.2/keda.sh_triggerauthentications.yaml
import argocd-application argo-cd-v3.5.1/application-crd.yaml
import argocd-appproject argo-cd-v3.5.1/appproject-crd.yaml
import external-secrets-externalsecret external-secrets-v2.9.0/external-secrets.io_externalsecrets.yaml
