// LSTM and GRU as PyTorch's nn.LSTM / nn.GRU (batch_first=False, zero
// initial state): per layer one GEMM for the input side of all time steps,
// then per step a hidden-side GEMM and the cell kernel. The model's output is
// the last layer's hidden state after the last step, [batch][hidden].
#include <cmath>

#include "dnn/models/architectures.h"
#include "dnn/models/builder.h"

namespace miriam::dnn::graph {
namespace {

enum class Cell { Lstm, Gru };

Graph build_rnn(const char* name, Cell cell, const ModelOptions& o, std::string* error) {
  GraphBuilder b(name, o);
  const int steps = o.seq_len, batch = o.batch, hidden = o.rnn_hidden;
  const int gates = cell == Cell::Lstm ? 4 : 3;
  const int gate_width = gates * hidden;
  const std::size_t state = std::size_t(batch) * hidden;
  const char* gates_x_label = cell == Cell::Lstm ? "lstm_gates_x" : "gru_gates_x";
  const char* gates_h_label = cell == Cell::Lstm ? "lstm_gates_h" : "gru_gates_h";
  const float bound = 1.0f / std::sqrt(float(hidden));  // PyTorch's RNN init

  Tensor x = b.input(TensorShape{steps * batch, o.rnn_input, 1, 1});
  // h_0 = c_0 = 0: one zero buffer serves both.
  const int zero_state = b.add_buffer("zero_state", state, true, true);
  View sequence = x.view;
  int features = o.rnn_input;
  int last_h = -1;
  for (int layer = 0; layer < o.rnn_layers; ++layer) {
    const std::string l = std::to_string(layer);
    const int w_ih =
        b.add_param("weight_ih_l" + l, std::size_t(gate_width) * features, -bound, bound);
    const int w_hh =
        b.add_param("weight_hh_l" + l, std::size_t(gate_width) * hidden, -bound, bound);
    const int b_ih = b.add_param("bias_ih_l" + l, gate_width, -bound, bound);
    const int b_hh = b.add_param("bias_hh_l" + l, gate_width, -bound, bound);
    const int input_side = b.add_layer_weights(w_ih, b_ih, gate_width);
    const int hidden_side = b.add_layer_weights(w_hh, b_hh, gate_width);

    const int gates_x = b.add_buffer("gates_x_l" + l, std::size_t(steps) * batch * gate_width);
    Op gx;
    gx.kind = OpKind::Gemm;
    gx.label = gates_x_label;
    gx.gemm = GemmShape{steps * batch, gate_width, features};
    gx.weights = input_side;
    gx.in = {sequence};
    gx.out = {View{gates_x, 0}};
    b.add_op(gx);

    const int h_seq = b.add_buffer("h_l" + l, std::size_t(steps) * state);
    View h_prev{zero_state, 0}, c_prev{zero_state, 0};
    for (int t = 0; t < steps; ++t) {
      const std::string lt = l + "_t" + std::to_string(t);
      const int gates_h = b.add_buffer("gates_h_l" + lt, std::size_t(batch) * gate_width);
      Op gh;
      gh.kind = OpKind::Gemm;
      gh.label = gates_h_label;
      gh.gemm = GemmShape{batch, gate_width, hidden};
      gh.weights = hidden_side;
      gh.in = {h_prev};
      gh.out = {View{gates_h, 0}};
      b.add_op(gh);

      const View gates_x_t{gates_x, std::size_t(t) * batch * gate_width};
      const View h_t{h_seq, std::size_t(t) * state};
      Op c;
      c.rows = batch;
      c.cols = hidden;
      if (cell == Cell::Lstm) {
        const View c_t{b.add_buffer("c_l" + lt, state), 0};
        c.kind = OpKind::LstmCell;
        c.in = {gates_x_t, View{gates_h, 0}, c_prev};
        c.out = {h_t, c_t};
        c_prev = c_t;
      } else {
        c.kind = OpKind::GruCell;
        c.in = {gates_x_t, View{gates_h, 0}, h_prev};
        c.out = {h_t};
      }
      b.add_op(c);
      h_prev = h_t;
    }
    sequence = View{h_seq, 0};
    features = hidden;
    last_h = h_seq;
  }
  const Tensor output{View{last_h, std::size_t(steps - 1) * state},
                      TensorShape{batch, hidden, 1, 1}};
  return b.finish(output, error);
}

}  // namespace

Graph build_lstm(const ModelOptions& o, std::string* error) {
  return build_rnn("lstm", Cell::Lstm, o, error);
}

Graph build_gru(const ModelOptions& o, std::string* error) {
  return build_rnn("gru", Cell::Gru, o, error);
}

}  // namespace miriam::dnn::graph
