"""Train one of latentlab's models with PyTorch, on one process or many
(DistributedDataParallel), and write a file `latentlab import` opens.

  python3 train.py --data DIR --kind vae --latent-dim 20 --epochs 10 --out vae-torch.safetensors
  torchrun --standalone --nproc_per_node=2 train.py --data DIR --kind vae ...   # two processes here
  torchrun --nnodes=N --nproc_per_node=G --rdzv_backend=c10d --rdzv_endpoint=HOST:PORT train.py ...

DIR holds MNIST-layout IDX files. The losses and optimizers are latentlab's
defaults (model/config.go): AE and VAE minimise the summed binary
cross-entropy per image (plus the KL term for the VAE: Kingma & Welling
2014) with Adam(1e-3); the GAN plays the non-saturating game (Goodfellow et
al. 2014) with Adam(2e-4, beta1 0.5), dropout 0.3 in the discriminator and
one-sided label smoothing 0.1. Processes use gloo on CPUs and NCCL on GPUs;
each sees its share of every epoch (DistributedSampler), and rank 0 saves.
"""

import argparse
import os
import sys

import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel as DDP
from torch.utils.data import DataLoader, TensorDataset
from torch.utils.data.distributed import DistributedSampler

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from latentlab_torch import LatentlabModel, describe, load_idx, save  # noqa: E402

F = nn.functional


class AutoencoderLoss(nn.Module):
    """The AE's or VAE's loss per image, averaged over a batch: the summed
    BCE of the pixels' logits (and KL(q(z|x) || N(0, I)) for the VAE)."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, x):
        heads = self.model.encoder(x)
        if len(heads) == 1:
            z, kl = heads[0], torch.zeros(())
        else:
            mu, logvar = heads
            z = mu + torch.exp(logvar / 2) * torch.randn_like(mu)
            kl = 0.5 * (mu * mu + logvar.exp() - logvar - 1).sum(1).mean()
        recon = F.binary_cross_entropy_with_logits(self.model.decoder(z), x, reduction="none").sum(1).mean()
        return recon + kl


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", required=True, help="directory of MNIST-layout IDX files")
    p.add_argument("--kind", required=True, choices=["ae", "vae", "gan"])
    p.add_argument("--arch", default="mlp", choices=["mlp", "conv"], help="conv: latentlab's DCGAN and conv AE/VAE")
    p.add_argument("--latent-dim", type=int, default=None, help="default 2 (ae, vae) or 16 (gan)")
    p.add_argument("--hidden", default=None, help="default 512,256 (ae, vae) or 256,512 (gan); conv: 32,64 or 64,128")
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--steps", type=int, default=0, help="stop after this many steps (0: run the epochs)")
    p.add_argument("--batch-size", type=int, default=64, help="per process")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--out", required=True)
    a = p.parse_args()

    distributed = "RANK" in os.environ
    if distributed:
        dist.init_process_group("nccl" if torch.cuda.is_available() else "gloo")
    rank = dist.get_rank() if distributed else 0
    device = torch.device(f"cuda:{int(os.environ.get('LOCAL_RANK', 0))}" if torch.cuda.is_available() else "cpu")
    torch.manual_seed(a.seed)  # the same initial weights on every process

    images, _, (rows, cols) = load_idx(a.data, "train")
    if a.arch == "conv" and (rows % 4 or cols % 4):
        sys.exit(f"train.py: --arch conv needs image sides divisible by 4; {a.data} has {rows}x{cols} images")
    gan = a.kind == "gan"
    latent = a.latent_dim or (16 if gan else 2)
    default_hidden = {("mlp", False): "512,256", ("mlp", True): "256,512", ("conv", False): "32,64", ("conv", True): "64,128"}
    hidden = [int(h) for h in (a.hidden or default_hidden[(a.arch, gan)]).split(",")]
    model = LatentlabModel(describe(a.kind, latent, hidden, rows, cols, a.arch)).to(device)
    data = TensorDataset(images)
    sampler = DistributedSampler(data, seed=a.seed) if distributed else None
    loader = DataLoader(data, batch_size=a.batch_size, sampler=sampler, shuffle=sampler is None, drop_last=True)

    # Buffers (batch norm's running statistics) are not broadcast: DDP would
    # overwrite them in place between the discriminator's two forward passes
    # of a step, under autograd. Each process keeps its own; rank 0's are saved.
    wrap = (lambda m: DDP(m, broadcast_buffers=False)) if distributed else (lambda m: m)
    if gan:
        gen, disc = wrap(model.generator), wrap(model.discriminator)
        opt_g = torch.optim.Adam(model.generator.parameters(), lr=2e-4, betas=(0.5, 0.999))
        opt_d = torch.optim.Adam(model.discriminator.parameters(), lr=2e-4, betas=(0.5, 0.999))
    else:
        loss_fn = wrap(AutoencoderLoss(model))
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)

    step = 0
    for epoch in range(a.epochs):
        if sampler is not None:
            sampler.set_epoch(epoch)
        for (x,) in loader:
            x = x.to(device)
            if gan:
                real = 2 * x - 1
                z = torch.randn(x.shape[0], latent, device=device)
                with torch.no_grad():
                    fake = 2 * torch.sigmoid(gen(z)) - 1
                d_real, d_fake = disc(real), disc(fake)
                loss_d = F.binary_cross_entropy_with_logits(d_real, torch.full_like(d_real, 0.9)) + \
                    F.binary_cross_entropy_with_logits(d_fake, torch.zeros_like(d_fake))
                opt_d.zero_grad()
                loss_d.backward()
                opt_d.step()
                out = disc(2 * torch.sigmoid(gen(torch.randn(x.shape[0], latent, device=device))) - 1)
                loss = F.binary_cross_entropy_with_logits(out, torch.ones_like(out))
                opt_g.zero_grad()
                loss.backward()
                opt_g.step()
            else:
                loss = loss_fn(x)
                opt.zero_grad()
                loss.backward()
                opt.step()
            step += 1
            if rank == 0 and step % 100 == 0:
                print(f"epoch {epoch + 1} step {step}: loss {loss.item():.3f}", flush=True)
            if a.steps and step >= a.steps:
                break
        if a.steps and step >= a.steps:
            break
    if rank == 0:
        save(model.cpu(), a.out)
        print(f"wrote {a.out} after {step} steps on {dist.get_world_size() if distributed else 1} process(es)", flush=True)
    if distributed:
        dist.barrier()
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
