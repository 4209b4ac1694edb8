"""Small commands around the companion's models:

  python3 -m latentlab_torch decode --weights F --z Z.json --out OUT.json
      decode the latent vectors in Z.json (a list of lists) with the model
      in F and write the images (pixels in [0, 1]) as JSON
  python3 -m latentlab_torch init --kind vae --latent-dim 20 --hidden 512,256
      [--rows 28 --cols 28] [--seed 1] --out F
      write a freshly initialised model (PyTorch's initialisation) to F
"""

import argparse
import json
import sys

import torch

from .models import LatentlabModel, describe, load, save


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python3 -m latentlab_torch")
    sub = parser.add_subparsers(dest="command", required=True)
    dec = sub.add_parser("decode", help="decode latent vectors with a saved model")
    dec.add_argument("--weights", required=True)
    dec.add_argument("--z", required=True, help="JSON file: a list of latent vectors")
    dec.add_argument("--out", required=True)
    ini = sub.add_parser("init", help="save a freshly initialised model")
    ini.add_argument("--kind", required=True, choices=["ae", "vae", "gan", "classifier"])
    ini.add_argument("--latent-dim", type=int, required=True)
    ini.add_argument("--hidden", required=True, help="comma-separated widths (conv: two channel counts)")
    ini.add_argument("--arch", default="mlp", choices=["mlp", "conv"])
    ini.add_argument("--rows", type=int, default=28)
    ini.add_argument("--cols", type=int, default=28)
    ini.add_argument("--seed", type=int, default=1)
    ini.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    if args.command == "decode":
        model = load(args.weights)
        with open(args.z) as f:
            z = torch.tensor(json.load(f), dtype=torch.float32)
        with torch.no_grad():
            images = model.decode(z)
        with open(args.out, "w") as f:
            json.dump(images.double().tolist(), f)
    else:
        torch.manual_seed(args.seed)
        hidden = [int(h) for h in args.hidden.split(",")]
        model = LatentlabModel(describe(args.kind, args.latent_dim, hidden, args.rows, args.cols, args.arch))
        save(model, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
