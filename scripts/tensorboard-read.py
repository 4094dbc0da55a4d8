"""Prints, as JSON, what TensorBoard's own reader (EventAccumulator) finds in each run of a
logdir: scalars as [step, value] lists and histograms with all their fields, per tag.
Run through scripts/tensorboard-reader.sh (used by __test__/tensorboard.spec.js)."""
import json
import os
import sys

from tensorboard.backend.event_processing import event_accumulator


def read_run(path):
    acc = event_accumulator.EventAccumulator(path, size_guidance={"scalars": 0, "histograms": 0})
    acc.Reload()
    tags = acc.Tags()
    scalars = {t: [[e.step, e.value] for e in acc.Scalars(t)] for t in tags["scalars"]}
    histograms = {}
    for t in tags["histograms"]:
        histograms[t] = [
            {
                "step": e.step,
                "min": e.histogram_value.min,
                "max": e.histogram_value.max,
                "num": e.histogram_value.num,
                "sum": e.histogram_value.sum,
                "sumSquares": e.histogram_value.sum_squares,
                "bucketLimit": list(e.histogram_value.bucket_limit),
                "bucket": list(e.histogram_value.bucket),
            }
            for e in acc.Histograms(t)
        ]
    return {"scalars": scalars, "histograms": histograms}


logdir = sys.argv[1]
runs = sorted(d for d in os.listdir(logdir) if os.path.isdir(os.path.join(logdir, d)))
print(json.dumps({run: read_run(os.path.join(logdir, run)) for run in runs}))
