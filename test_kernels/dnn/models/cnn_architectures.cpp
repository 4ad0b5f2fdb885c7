// The image classifiers, layer by layer as torchvision builds them (CifarNet
// as TF-slim's cifarnet.py). Dropout is a no-op at inference and flatten is
// free in NCHW, so neither appears.
#include "dnn/models/architectures.h"
#include "dnn/models/builder.h"

namespace miriam::dnn::graph {
namespace {

constexpr Activation kNone = Activation::None;
constexpr Activation kRelu = Activation::Relu;
constexpr Activation kRelu6 = Activation::Relu6;

Tensor image_input(GraphBuilder& b, const ModelOptions& o) {
  return b.input(TensorShape{o.batch, 3, o.input_hw, o.input_hw});
}

Graph finish_classifier(GraphBuilder& b, const ModelOptions& o, Tensor logits, std::string* error) {
  return b.finish(o.softmax ? b.softmax(logits) : logits, error);
}

// torchvision BasicBlock (ResNet-18/34); BN after every conv.
Tensor basic_block(GraphBuilder& b, const Tensor& x, int planes, int stride) {
  Tensor y = b.conv(x, planes, 3, stride, 1, kRelu, false, true);
  y = b.conv(y, planes, 3, 1, 1, kNone, false, true);
  const bool downsample = stride != 1 || x.shape.c != planes;
  const Tensor shortcut = downsample ? b.conv(x, planes, 1, stride, 0, kNone, false, true) : x;
  return b.add(y, shortcut, kRelu);
}

// torchvision Bottleneck (ResNet v1.5: the stride sits on the 3x3 conv).
Tensor bottleneck(GraphBuilder& b, const Tensor& x, int planes, int stride) {
  constexpr int kExpansion = 4;
  Tensor y = b.conv(x, planes, 1, 1, 0, kRelu, false, true);
  y = b.conv(y, planes, 3, stride, 1, kRelu, false, true);
  y = b.conv(y, planes * kExpansion, 1, 1, 0, kNone, false, true);
  const bool downsample = stride != 1 || x.shape.c != planes * kExpansion;
  const Tensor shortcut =
      downsample ? b.conv(x, planes * kExpansion, 1, stride, 0, kNone, false, true) : x;
  return b.add(y, shortcut, kRelu);
}

using Block = Tensor (*)(GraphBuilder&, const Tensor&, int, int);

Graph build_resnet(const char* name, Block block, const int (&blocks)[4], const ModelOptions& o,
                   std::string* error) {
  GraphBuilder b(name, o);
  Tensor x = image_input(b, o);
  x = b.conv(x, 64, 7, 2, 3, kRelu, false, true);
  x = b.max_pool(x, 3, 2, 1);
  const int planes[4] = {64, 128, 256, 512};
  for (int stage = 0; stage < 4; ++stage)
    for (int i = 0; i < blocks[stage]; ++i)
      x = block(b, x, planes[stage], i == 0 && stage > 0 ? 2 : 1);
  x = b.global_avg_pool(x);
  return finish_classifier(b, o, b.linear(x, 1000, kNone), error);
}

// SqueezeNet Fire module: squeeze 1x1, then expand 1x1 and 3x3 side by side.
Tensor fire(GraphBuilder& b, const Tensor& x, int squeeze, int expand1x1, int expand3x3) {
  const Tensor s = b.conv(x, squeeze, 1, 1, 0, kRelu, true, false);
  const Tensor e1 = b.conv(s, expand1x1, 1, 1, 0, kRelu, true, false);
  const Tensor e3 = b.conv(s, expand3x3, 3, 1, 1, kRelu, true, false);
  return b.concat(e1, e3);
}

// MobileNetV2 InvertedResidual.
Tensor inverted_residual(GraphBuilder& b, const Tensor& x, int out, int stride, int expand) {
  Tensor y = x;
  if (expand != 1) y = b.conv(y, x.shape.c * expand, 1, 1, 0, kRelu6, false, true);
  y = b.depthwise_conv(y, 3, stride, 1, kRelu6);
  y = b.conv(y, out, 1, 1, 0, kNone, false, true);
  return stride == 1 && x.shape.c == out ? b.add(x, y, kNone) : y;
}

}  // namespace

Graph build_alexnet(const ModelOptions& o, std::string* error) {
  GraphBuilder b("alexnet", o);
  Tensor x = image_input(b, o);
  x = b.conv(x, 64, 11, 4, 2, kRelu, true, false);
  x = b.max_pool(x, 3, 2, 0);
  x = b.conv(x, 192, 5, 1, 2, kRelu, true, false);
  x = b.max_pool(x, 3, 2, 0);
  x = b.conv(x, 384, 3, 1, 1, kRelu, true, false);
  x = b.conv(x, 256, 3, 1, 1, kRelu, true, false);
  x = b.conv(x, 256, 3, 1, 1, kRelu, true, false);
  x = b.max_pool(x, 3, 2, 0);
  x = b.adaptive_avg_pool(x, 6);
  x = b.linear(x, 4096, kRelu);
  x = b.linear(x, 4096, kRelu);
  return finish_classifier(b, o, b.linear(x, 1000, kNone), error);
}

Graph build_cifarnet(const ModelOptions& o, std::string* error) {
  GraphBuilder b("cifarnet", o);
  // tf.nn.lrn(depth_radius=4, bias=1, alpha=0.001/9, beta=0.75): a 9-channel
  // window, and PyTorch's convention divides alpha by the window.
  const LrnParams lrn{9, 0.001f, 0.75f, 1.0f};
  Tensor x = image_input(b, o);
  x = b.conv(x, 64, 5, 1, 2, kRelu, true, false);  // slim conv2d: SAME
  x = b.max_pool(x, 2, 2, 0);                      // slim max_pool2d [2, 2], 2: VALID
  x = b.lrn(x, lrn);
  x = b.conv(x, 64, 5, 1, 2, kRelu, true, false);
  x = b.lrn(x, lrn);
  x = b.max_pool(x, 2, 2, 0);
  x = b.linear(x, 384, kRelu);
  x = b.linear(x, 192, kRelu);
  return finish_classifier(b, o, b.linear(x, 10, kNone), error);
}

Graph build_resnet18(const ModelOptions& o, std::string* error) {
  return build_resnet("resnet18", basic_block, {2, 2, 2, 2}, o, error);
}

Graph build_resnet50(const ModelOptions& o, std::string* error) {
  return build_resnet("resnet50", bottleneck, {3, 4, 6, 3}, o, error);
}

Graph build_vgg16(const ModelOptions& o, std::string* error) {
  GraphBuilder b("vgg16", o);
  Tensor x = image_input(b, o);
  constexpr int kPool = 0;  // 'M' in torchvision's cfg "D"
  const int cfg[] = {64,    64,  kPool, 128, 128,   kPool, 256, 256, 256,
                     kPool, 512, 512,   512, kPool, 512,   512, 512, kPool};
  for (int c : cfg)
    x = c == kPool ? b.max_pool(x, 2, 2, 0) : b.conv(x, c, 3, 1, 1, kRelu, true, false);
  x = b.adaptive_avg_pool(x, 7);
  x = b.linear(x, 4096, kRelu);
  x = b.linear(x, 4096, kRelu);
  return finish_classifier(b, o, b.linear(x, 1000, kNone), error);
}

Graph build_squeezenet(const ModelOptions& o, std::string* error) {
  GraphBuilder b("squeezenet", o);  // version 1.0
  Tensor x = image_input(b, o);
  x = b.conv(x, 96, 7, 2, 0, kRelu, true, false);
  x = b.max_pool(x, 3, 2, 0, true);
  x = fire(b, x, 16, 64, 64);
  x = fire(b, x, 16, 64, 64);
  x = fire(b, x, 32, 128, 128);
  x = b.max_pool(x, 3, 2, 0, true);
  x = fire(b, x, 32, 128, 128);
  x = fire(b, x, 48, 192, 192);
  x = fire(b, x, 48, 192, 192);
  x = fire(b, x, 64, 256, 256);
  x = b.max_pool(x, 3, 2, 0, true);
  x = fire(b, x, 64, 256, 256);
  x = b.conv(x, 1000, 1, 1, 0, kRelu, true, false);  // the classifier: conv, not FC
  return finish_classifier(b, o, b.global_avg_pool(x), error);
}

Graph build_mobilenet_v2(const ModelOptions& o, std::string* error) {
  GraphBuilder b("mobilenet_v2", o);
  Tensor x = image_input(b, o);
  x = b.conv(x, 32, 3, 2, 1, kRelu6, false, true);
  struct Stage {
    int expand, channels, repeats, stride;
  };
  const Stage stages[] = {{1, 16, 1, 1}, {6, 24, 2, 2},  {6, 32, 3, 2}, {6, 64, 4, 2},
                          {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};
  for (const Stage& s : stages)
    for (int i = 0; i < s.repeats; ++i)
      x = inverted_residual(b, x, s.channels, i == 0 ? s.stride : 1, s.expand);
  x = b.conv(x, 1280, 1, 1, 0, kRelu6, false, true);
  x = b.global_avg_pool(x);
  return finish_classifier(b, o, b.linear(x, 1000, kNone), error);
}

}  // namespace miriam::dnn::graph
