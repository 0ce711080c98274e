// Host-to-device batch copies (see attn/core/host_to_device.h).
#include "attn/core/host_to_device.h"

namespace attn {

at::Tensor to_device(const at::Tensor& host, const c10::Device& device) {
  if (host.device() == device) return host;
  if (!device.is_cuda() || !host.is_cpu()) return host.to(device);
  // A pageable source makes the copy synchronous; pinning it first lets the
  // copy run on the stream while the host goes on.
  return host.pin_memory().to(device, /*non_blocking=*/true);
}

}  // namespace attn
