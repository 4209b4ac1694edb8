"""latentlab's MLP architectures as torch.nn.Modules whose state_dict names
are latentlab's own ("encoder.0.weight", "decoder.out.bias"), so that
`latentlab export --torch` files load with load_state_dict and the files
these modules save import with `latentlab import`.

They mirror model.ArchitectureOf in latentlab's Go code (model/arch.go):
  AE, VAE  encoder: Linear layers of the hidden widths with ReLU, then the
           code (AE) or the mean and log-variance (VAE) of q(z|x);
           decoder: the hidden widths reversed with ReLU, then the pixels'
           logits.
  GAN      generator z -> hidden widths -> pixels' logits, LeakyReLU(0.2);
           the discriminator reads pixels centred to [-1, 1] (2 x - 1) and
           mirrors the generator down to one logit.
  classifier  pixels -> hidden widths (ReLU) -> 10 logits.
"""

import json

import torch
from torch import nn

FORMAT, VERSION = "latentlab-torch", 1
METADATA_KEY = "latentlab"
ACTIVATIONS = {"ae": "relu", "vae": "relu", "classifier": "relu", "gan": "leaky_relu(0.2)"}


class Stack(nn.ModuleDict):
    """Linear layers named "0", "1", ... and "out": the hidden ones followed
    by the activation, the last one linear. A ModuleDict, so its parameters
    keep latentlab's names; callable, so DistributedDataParallel wraps it."""

    def __init__(self, inputs, widths, outputs, slope, dropout=0.0):
        layers = {}
        for i, width in enumerate(widths):
            layers[str(i)] = nn.Linear(inputs, width)
            inputs = width
        layers["out"] = nn.Linear(inputs, outputs)
        super().__init__(layers)
        self.hidden, self.slope, self.dropout = len(widths), slope, dropout

    def features(self, x):
        """The last hidden layer's output (with inverted dropout on every
        hidden layer while training, as latentlab's discriminator has)."""
        for i in range(self.hidden):
            x = nn.functional.leaky_relu(self[str(i)](x), self.slope) if self.slope else torch.relu(self[str(i)](x))
            if self.dropout:
                x = nn.functional.dropout(x, self.dropout, self.training)
        return x

    def forward(self, x):
        return self["out"](self.features(x))


class Encoder(nn.ModuleDict):
    """The AE's or VAE's encoder: hidden layers "0", "1", ... with ReLU, then
    the heads "code" (AE) or "mu" and "logvar" (VAE)."""

    def __init__(self, inputs, widths, latent, heads):
        layers = {}
        for i, width in enumerate(widths):
            layers[str(i)] = nn.Linear(inputs, width)
            inputs = width
        for head in heads:
            layers[head] = nn.Linear(inputs, latent)
        super().__init__(layers)
        self.hidden, self.heads = len(widths), heads

    def forward(self, x):
        for i in range(self.hidden):
            x = torch.relu(self[str(i)](x))
        return tuple(self[head](x) for head in self.heads)


def describe(kind, latent_dim, hidden, rows=28, cols=28):
    """The description `latentlab import` reads (model/pytorch in Go)."""
    return {"format": FORMAT, "format_version": VERSION, "kind": kind, "latent_dim": latent_dim,
            "hidden": list(hidden), "activation": ACTIVATIONS[kind], "image_rows": rows, "image_cols": cols}


class LatentlabModel(nn.Module):
    """One of latentlab's models, built from its description (a dict)."""

    def __init__(self, description):
        super().__init__()
        d = dict(description)
        if d.get("format") != FORMAT or d.get("format_version") != VERSION:
            raise ValueError(f"not a latentlab-torch description: {d}")
        kind, latent, hidden = d["kind"], d["latent_dim"], list(d["hidden"])
        if d.get("arch", "mlp") != "mlp":
            raise ValueError(f"arch {d.get('arch')!r}: the companion has latentlab's MLPs; its convolutional models are not here yet")
        if d.get("activation") != ACTIVATIONS.get(kind):
            raise ValueError(f"activation {d.get('activation')!r}: latentlab's {kind} uses {ACTIVATIONS.get(kind)!r}")
        pixels = d["image_rows"] * d["image_cols"]
        self.description, self.kind = d, kind
        if kind in ("ae", "vae"):
            self.encoder = Encoder(pixels, hidden, latent, ["code"] if kind == "ae" else ["mu", "logvar"])
            self.decoder = Stack(latent, hidden[::-1], pixels, 0)
        elif kind == "gan":
            self.generator = Stack(latent, hidden, pixels, 0.2)
            self.discriminator = Stack(pixels, hidden[::-1], 1, 0.2, dropout=0.3)
        elif kind == "classifier":
            self.classifier = Stack(pixels, hidden, 10, 0)
        else:
            raise ValueError(f"unknown kind {kind!r} (ae, vae, gan or classifier)")

    def decode_logits(self, z):
        """The pixels' logits for the rows of z (the decoder or generator)."""
        return (self.generator if self.kind == "gan" else self.decoder)(z)

    def decode(self, z):
        """Images with pixels in [0, 1] for the rows of z."""
        return torch.sigmoid(self.decode_logits(z))

    def encode(self, x):
        """The code (AE) or the mean and log-variance of q(z|x) (VAE) of the
        rows of x, pixels in [0, 1]."""
        return self.encoder(x)

    def discriminate(self, x):
        """The GAN discriminator's logit for the rows of x, pixels in [0, 1]."""
        return self.discriminator(2 * x - 1)[:, 0]


def save(model, path):
    """Save model's state_dict in PyTorch's layout with its description."""
    from .safetensors_io import save_file

    save_file(model.state_dict(), path, {"format": "pt", METADATA_KEY: json.dumps(model.description)})


def load(path, description=None):
    """Load a model saved by save or by `latentlab export --torch`; the
    description defaults to the one in the file's metadata."""
    from .safetensors_io import load_file

    tensors, metadata = load_file(path)
    if description is None:
        if METADATA_KEY not in metadata:
            raise ValueError(f"{path} has no {METADATA_KEY!r} metadata: pass its description")
        description = json.loads(metadata[METADATA_KEY])
    model = LatentlabModel(description)
    model.load_state_dict(tensors)  # strict: every name and shape must fit
    return model.eval()
