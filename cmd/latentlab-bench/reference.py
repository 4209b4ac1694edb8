"""PyTorch reference for latentlab's training benchmark.

Trains one model (ae, vae or gan) for one epoch on MNIST with the same
architecture, losses, optimizer and batch size as latentlab's Go trainer,
and prints one JSON line: {"seconds": training time, "images": images seen,
"threads": torch threads, "torch": version}. The data are read from the IDX
files latentlab embeds, so both sides train on the same 60,000 digits.

With --arch conv it trains latentlab's convolutional models (a conv VAE,
DCGAN) as the PyTorch companion defines them (--companion: the folder of
cmd/latentlab-torch, whose modules decode the same images as latentlab's),
with --steps steps; its "images" then counts the images of those steps.
"""
import argparse
import gzip
import json
import struct
import sys
import time

import numpy as np
import torch
from torch import nn
import torch.nn.functional as F


def read_images(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic, n, rows, cols = struct.unpack(">IIII", data[:16])
    if magic != 0x803:
        sys.exit(f"{path}: bad magic {magic:#x}")
    pixels = np.frombuffer(data, dtype=np.uint8, offset=16, count=n * rows * cols)
    return torch.from_numpy(pixels.reshape(n, rows * cols).astype(np.float32) / 255.0)


def mlp(sizes, act, dropout=0.0):
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(act())
            if dropout > 0:
                layers.append(nn.Dropout(dropout))
    return nn.Sequential(*layers)


def train_autoencoder(x, kind, hidden, latent, batch, lr):
    enc = mlp([784] + hidden, nn.ReLU)
    enc.append(nn.ReLU())
    heads = nn.Linear(hidden[-1], latent * (2 if kind == "vae" else 1))
    dec = mlp([latent] + hidden[::-1] + [784], nn.ReLU)
    params = list(enc.parameters()) + list(heads.parameters()) + list(dec.parameters())
    opt = torch.optim.Adam(params, lr=lr)
    perm = torch.randperm(x.shape[0])
    start = time.perf_counter()
    for i in range(0, x.shape[0], batch):
        xb = x[perm[i:i + batch]]
        out = heads(enc(xb))
        if kind == "vae":
            mu, logvar = out.chunk(2, dim=1)
            z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
            kl = 0.5 * (mu.pow(2) + logvar.exp() - logvar - 1).sum(1)
        else:
            z, kl = out, 0.0
        recon = F.binary_cross_entropy_with_logits(dec(z), xb, reduction="none").sum(1)
        loss = (recon + kl).mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    return time.perf_counter() - start


def train_gan(x, hidden, latent, batch, lr, dropout=0.3, smoothing=0.1):
    gen = mlp([latent] + hidden + [784], lambda: nn.LeakyReLU(0.2))
    disc = mlp([784] + hidden[::-1] + [1], lambda: nn.LeakyReLU(0.2), dropout)
    opt_d = torch.optim.Adam(disc.parameters(), lr=lr, betas=(0.5, 0.999))
    opt_g = torch.optim.Adam(gen.parameters(), lr=lr, betas=(0.5, 0.999))
    perm = torch.randperm(x.shape[0])
    start = time.perf_counter()
    for i in range(0, x.shape[0], batch):
        xb = x[perm[i:i + batch]]
        n = xb.shape[0]
        fake = torch.sigmoid(gen(torch.randn(n, latent)))
        real_logit = disc(xb * 2 - 1)
        fake_logit = disc(fake.detach() * 2 - 1)
        d_loss = (F.binary_cross_entropy_with_logits(real_logit, torch.full_like(real_logit, 1 - smoothing), reduction="sum")
                  + F.softplus(fake_logit).sum()) / n
        opt_d.zero_grad(set_to_none=True)
        d_loss.backward()
        opt_d.step()
        fake = torch.sigmoid(gen(torch.randn(n, latent)))
        g_loss = F.softplus(-disc(fake * 2 - 1)).sum() / n
        opt_g.zero_grad(set_to_none=True)
        g_loss.backward()
        opt_g.step()
    return time.perf_counter() - start


def train_conv(x, kind, hidden, latent, batch, lr, steps, companion, upsample):
    sys.path.insert(0, companion)
    from latentlab_torch import LatentlabModel, describe

    model = LatentlabModel(describe(kind, latent, hidden, 28, 28, "conv", upsample))
    model.train()
    perm = torch.randperm(x.shape[0])
    if kind == "gan":
        opt_d = torch.optim.Adam(model.discriminator.parameters(), lr=lr, betas=(0.5, 0.999))
        opt_g = torch.optim.Adam(model.generator.parameters(), lr=lr, betas=(0.5, 0.999))
    else:
        opt = torch.optim.Adam(model.parameters(), lr=lr)
    start = time.perf_counter()
    for step in range(steps):
        i = (step * batch) % (x.shape[0] - batch)
        xb = x[perm[i:i + batch]]
        n = xb.shape[0]
        if kind == "gan":
            with torch.no_grad():
                fake = torch.sigmoid(model.generator(torch.randn(n, latent)))
            real_logit, fake_logit = model.discriminator(xb * 2 - 1), model.discriminator(fake * 2 - 1)
            d_loss = (F.binary_cross_entropy_with_logits(real_logit, torch.full_like(real_logit, 0.9), reduction="sum")
                      + F.softplus(fake_logit).sum()) / n
            opt_d.zero_grad(set_to_none=True)
            d_loss.backward()
            opt_d.step()
            g_loss = F.softplus(-model.discriminator(torch.sigmoid(model.generator(torch.randn(n, latent))) * 2 - 1)).sum() / n
            opt_g.zero_grad(set_to_none=True)
            g_loss.backward()
            opt_g.step()
        else:
            mu, logvar = model.encoder(xb)
            z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
            kl = 0.5 * (mu.pow(2) + logvar.exp() - logvar - 1).sum(1)
            recon = F.binary_cross_entropy_with_logits(model.decoder(z), xb, reduction="none").sum(1)
            loss = (recon + kl).mean()
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
    return time.perf_counter() - start


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--images", required=True, help="train-images-idx3-ubyte.gz")
    p.add_argument("--model", choices=["ae", "vae", "gan"], required=True)
    p.add_argument("--hidden", default="512,256")
    p.add_argument("--latent", type=int, required=True)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--arch", choices=["mlp", "conv"], default="mlp")
    p.add_argument("--steps", type=int, default=0, help="conv: steps to time")
    p.add_argument("--upsample", choices=["resize", "transposed"], default="resize", help="conv: the decoder's up-sampling")
    p.add_argument("--companion", default="", help="conv: the folder of cmd/latentlab-torch")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    x = read_images(a.images)
    hidden = [int(h) for h in a.hidden.split(",")]
    images = x.shape[0]
    if a.arch == "conv":
        if a.model == "ae" or a.steps < 1 or not a.companion:
            sys.exit("--arch conv takes --model vae or gan, --steps and --companion")
        seconds, images = train_conv(x, a.model, hidden, a.latent, a.batch, a.lr, a.steps, a.companion, a.upsample), a.steps * a.batch
    elif a.model == "gan":
        seconds = train_gan(x, hidden, a.latent, a.batch, a.lr)
    else:
        seconds = train_autoencoder(x, a.model, hidden, a.latent, a.batch, a.lr)
    print(json.dumps({"seconds": seconds, "images": images, "threads": a.threads, "torch": torch.__version__}))


if __name__ == "__main__":
    main()
