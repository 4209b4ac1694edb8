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


def describe(kind, latent_dim, hidden, rows=28, cols=28, arch="mlp", upsample=None):
    """The description `latentlab import` reads (model/pytorch in Go). For
    arch "conv", hidden holds the two channel counts, and upsample says how
    the decoder or generator doubles its images' sides: "resize" (the
    default) or "transposed"."""
    d = {"format": FORMAT, "format_version": VERSION, "kind": kind, "arch": arch, "latent_dim": latent_dim,
         "hidden": list(hidden), "activation": ACTIVATIONS[kind], "image_rows": rows, "image_cols": cols}
    if upsample:
        d["upsample"] = upsample
    return d


class LatentlabModel(nn.Module):
    """One of latentlab's models, built from its description (a dict)."""

    def __init__(self, description):
        super().__init__()
        d = dict(description)
        if d.get("format") != FORMAT or d.get("format_version") != VERSION:
            raise ValueError(f"not a latentlab-torch description: {d}")
        kind, latent, hidden = d["kind"], d["latent_dim"], list(d["hidden"])
        arch = d.get("arch") or "mlp"
        if arch not in ("mlp", "conv"):
            raise ValueError(f"arch {arch!r}: want mlp or conv")
        if d.get("activation") != ACTIVATIONS.get(kind):
            raise ValueError(f"activation {d.get('activation')!r}: latentlab's {kind} uses {ACTIVATIONS.get(kind)!r}")
        pixels = d["image_rows"] * d["image_cols"]
        self.description, self.kind = d, kind
        upsample = d.get("upsample") or "resize"
        if upsample not in ("resize", "transposed") or (upsample == "transposed" and arch != "conv"):
            raise ValueError(f"upsample {upsample!r}: want resize, or transposed for a conv model")
        if arch == "conv":
            self._conv(kind, latent, hidden, d["image_rows"], d["image_cols"], upsample)
        elif kind in ("ae", "vae"):
            self.encoder = Encoder(pixels, hidden, latent, ["code"] if kind == "ae" else ["mu", "logvar"])
            self.decoder = Stack(latent, hidden[::-1], pixels, 0)
        elif kind == "gan":
            self.generator = Stack(latent, hidden, pixels, 0.2)
            self.discriminator = Stack(pixels, hidden[::-1], 1, 0.2, dropout=0.3)
        elif kind == "classifier":
            self.classifier = Stack(pixels, hidden, 10, 0)
        else:
            raise ValueError(f"unknown kind {kind!r} (ae, vae, gan or classifier)")

    def _conv(self, kind, latent, hidden, h, w, upsample="resize"):
        """latentlab's convolutional models (model/arch.go, convArchitecture)."""
        c1, c2 = hidden
        h4, w4 = h // 4, w // 4
        flat = c2 * h4 * w4

        def down(i, o):
            return nn.Conv2d(i, o, 4, stride=2, padding=1)

        def same(i, o):
            return nn.Conv2d(i, o, 3, stride=1, padding=1)

        def up_conv(i, o):
            return nn.ConvTranspose2d(i, o, 4, stride=2, padding=1)

        up = nn.Upsample(scale_factor=2, mode="nearest")
        relu, leaky = nn.ReLU(), nn.LeakyReLU(0.2)
        transposed = upsample == "transposed"
        if kind in ("ae", "vae"):
            heads = ["code"] if kind == "ae" else ["mu", "logvar"]
            self.encoder = ConvEncoder({"0": down(1, c1), "1": down(c1, c2), **{k: nn.Linear(flat, latent) for k in heads}}, heads, (1, h, w))
            if transposed:
                self.decoder = Steps({"0": nn.Linear(latent, flat), "1": up_conv(c2, c1), "out": up_conv(c1, 1)},
                                     [("0", relu), ("view", (c2, h4, w4)), ("1", relu), ("out", None), ("flat", None)])
            else:
                self.decoder = Steps({"0": nn.Linear(latent, flat), "1": up, "2": same(c2, c1), "3": up, "out": same(c1, 1)},
                                     [("0", relu), ("view", (c2, h4, w4)), ("1", None), ("2", relu), ("3", None), ("out", None),
                                      ("flat", None)])
        elif kind == "gan":
            if transposed:
                self.generator = Steps({"0": nn.Linear(latent, flat), "1": nn.BatchNorm2d(c2), "2": up_conv(c2, c1),
                                        "3": nn.BatchNorm2d(c1), "out": up_conv(c1, 1)},
                                       [("0", None), ("view", (c2, h4, w4)), ("1", relu), ("2", None), ("3", relu),
                                        ("out", None), ("flat", None)])
            else:
                self.generator = Steps({"0": nn.Linear(latent, flat), "1": nn.BatchNorm2d(c2), "2": up, "3": same(c2, c1),
                                        "4": nn.BatchNorm2d(c1), "5": up, "out": same(c1, 1)},
                                       [("0", None), ("view", (c2, h4, w4)), ("1", relu), ("2", None), ("3", None), ("4", relu),
                                        ("5", None), ("out", None), ("flat", None)])
            self.discriminator = Steps({"0": down(1, c1), "1": down(c1, c2), "2": nn.BatchNorm2d(c2), "out": nn.Linear(flat, 1)},
                                       [("view", (1, h, w)), ("0", leaky), ("1", None), ("2", leaky), ("flat", None), ("out", None)])
        else:
            raise ValueError(f"latentlab has no convolutional {kind}")

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

    # BatchNorm's num_batches_tracked counts steps; latentlab keeps no such
    # counter (its momentum is fixed), so it does not travel.
    state = {k: v for k, v in model.state_dict().items() if not k.endswith(".num_batches_tracked")}
    save_file(state, path, {"format": "pt", METADATA_KEY: json.dumps(model.description)})


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
    missing, unexpected = model.load_state_dict(tensors, strict=False)
    missing = [k for k in missing if not k.endswith(".num_batches_tracked")]
    if missing or unexpected:
        raise ValueError(f"{path}: missing tensors {missing}, unexpected tensors {unexpected}")
    return model.eval()


class Steps(nn.ModuleDict):
    """Layers run in a given order, each optionally followed by an
    activation, with ("view", shape) and ("flat", None) steps between them:
    images are NCHW inside, one flat row each outside, as in latentlab."""

    def __init__(self, layers, plan):
        super().__init__(layers)
        self.plan = plan

    def forward(self, x):
        for key, act in self.plan:
            if key == "view":
                x = x.view(x.shape[0], *act)
                continue
            if key == "flat":
                x = x.reshape(x.shape[0], -1)
                continue
            x = self[key](x)
            if act is not None:
                x = act(x)
        return x


class ConvEncoder(nn.ModuleDict):
    """The convolutional AE's or VAE's encoder: two strided convolutions
    with ReLU, then the heads on the flattened features."""

    def __init__(self, layers, heads, shape):
        super().__init__(layers)
        self.heads, self.shape = heads, shape

    def forward(self, x):
        x = x.view(x.shape[0], *self.shape)
        x = torch.relu(self["1"](torch.relu(self["0"](x)))).reshape(x.shape[0], -1)
        return tuple(self[head](x) for head in self.heads)
