"""PyTorch companion of latentlab: its architectures as nn.Modules, files in
both directions, and IDX data. See cmd/latentlab-torch/README.md."""

from .idx import load_idx
from .models import LatentlabModel, describe, load, save
from .safetensors_io import load_file, save_file

__all__ = ["LatentlabModel", "describe", "load", "save", "load_file", "save_file", "load_idx"]
