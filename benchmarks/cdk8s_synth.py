"""The cdk8s peer: synthesize the same objects as plain `ApiObject`s.

Run by benchmarks/.venv's Python, where cdk8s is installed:
    cdk8s_synth.py DOCUMENTS.yaml OUTDIR
Every object of our render becomes one ApiObject; its fields beyond
apiVersion, kind and metadata go in as JSON patches, which is how cdk8s
takes arbitrary fields on a plain ApiObject.
"""

import sys

import cdk8s
import yaml


def main(documents_path: str, outdir: str) -> None:
    with open(documents_path, encoding="utf-8") as stream:
        documents = [d for d in yaml.safe_load_all(stream) if d]
    app = cdk8s.App(outdir=outdir)
    chart = cdk8s.Chart(app, "stack")
    for number, document in enumerate(documents):
        obj = cdk8s.ApiObject(chart, f"object-{number}", api_version=document["apiVersion"],
                              kind=document["kind"],
                              metadata=cdk8s.ApiObjectMetadata(**document["metadata"]))
        for key, value in document.items():
            if key not in ("apiVersion", "kind", "metadata"):
                obj.add_json_patch(cdk8s.JsonPatch.add(f"/{key}", value))
    app.synth()


if __name__ == "__main__":
    main(*sys.argv[1:3])
