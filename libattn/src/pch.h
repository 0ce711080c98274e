// Precompiled header: the heavy LibTorch headers every translation unit needs.
#pragma once
#include <torch/nn.h>
#include <torch/optim.h>
#include <torch/serialize.h>
#include <torch/types.h>
#include <fmt/format.h>
#include <string>
#include <vector>
