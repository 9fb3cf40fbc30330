#include "runtime/npy_format.h"

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <limits>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace kiln::runtime {
namespace {

constexpr char kNpyMagic[] = "\x93NUMPY";

const char* Descr(DType t) {
  switch (t) {
    case DType::kFloat32: return "<f4";
    case DType::kInt32: return "<i4";
    case DType::kInt64: return "<i8";
    case DType::kBool: return "|b1";
    case DType::kUInt8: return "|u1";
    case DType::kInt8: return "|i1";
    case DType::kInt16: return "<i2";
    case DType::kUInt16: return "<u2";
    case DType::kUInt32: return "<u4";
    case DType::kUInt64: return "<u8";
    case DType::kFloat64: return "<f8";
    case DType::kFloat16: return "<f2";
    // NumPy has no bfloat16; ml_dtypes' bfloat16 saves as two-byte void,
    // which is read back as bfloat16.
    case DType::kBFloat16: return "|V2";
  }
  return "?";
}

absl::StatusOr<DType> FromDescr(absl::string_view d) {
  for (uint8_t code = 0; IsDTypeCode(code); ++code) {
    if (d == Descr(static_cast<DType>(code))) return static_cast<DType>(code);
  }
  // NumPy writes one-byte types with '|' but accepts '<' and '=' too.
  if (d == "<i1" || d == "=i1") return DType::kInt8;
  if (d == "<u1" || d == "=u1") return DType::kUInt8;
  if (absl::StartsWith(d, ">")) {
    return absl::UnimplementedError(absl::StrCat("big-endian arrays ('", d, "') are not supported"));
  }
  return absl::UnimplementedError(absl::StrCat(
      "array dtype '", d, "' is not supported (bool, float16/32/64, int8/16/32/64 and uint8/16/32/64 are)"));
}

// The value text of `key` in the header dict: "{'descr': '<f4', ...}".
absl::StatusOr<absl::string_view> DictValue(absl::string_view header, absl::string_view key) {
  const std::string quoted = absl::StrCat("'", key, "':");
  const size_t at = header.find(quoted);
  if (at == absl::string_view::npos) {
    return absl::DataLossError(absl::StrCat(".npy header has no '", key, "'"));
  }
  absl::string_view rest = absl::StripLeadingAsciiWhitespace(header.substr(at + quoted.size()));
  if (absl::StartsWith(rest, "(")) {
    const size_t close = rest.find(')');
    if (close == absl::string_view::npos) return absl::DataLossError(".npy shape is unterminated");
    return rest.substr(0, close + 1);
  }
  if (absl::StartsWith(rest, "'")) {
    const size_t close = rest.find('\'', 1);
    if (close == absl::string_view::npos) return absl::DataLossError(".npy descr is unterminated");
    return rest.substr(1, close - 1);
  }
  const size_t end = rest.find_first_of(",}");
  return absl::StripAsciiWhitespace(rest.substr(0, end));
}

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::ErrnoToStatus(errno, absl::StrCat("cannot open ", path));
  std::ostringstream s;
  s << in.rdbuf();
  return std::move(s).str();
}

absl::Status WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return absl::ErrnoToStatus(errno, absl::StrCat("cannot open ", path, " for writing"));
  out.write(bytes.data(), bytes.size());
  // close() flushes, so a full disk may only show here.
  out.close();
  if (!out) return absl::ErrnoToStatus(errno, absl::StrCat("cannot write ", path));
  return absl::OkStatus();
}

uint32_t Crc32(absl::string_view data) {
  static const std::array<uint32_t, 256> table = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  uint32_t c = 0xffffffffu;
  for (unsigned char b : data) c = table[(c ^ b) & 0xff] ^ (c >> 8);
  return c ^ 0xffffffffu;
}

absl::Status TooLargeForZip() {
  return absl::UnimplementedError(
      ".npz archives over 4 GiB need ZIP64, which is not supported: write the arrays to "
      "separate .npy files");
}

template <typename T>
T Get(absl::string_view bytes, size_t at) {
  T v;
  std::memcpy(&v, bytes.data() + at, sizeof(T));
  return v;
}

template <typename T>
void Put(std::string& out, T v) {
  out.append(reinterpret_cast<const char*>(&v), sizeof(T));
}

}  // namespace

absl::StatusOr<NDArray> ParseNpy(absl::string_view bytes) {
  if (bytes.size() < 10 || bytes.substr(0, 6) != absl::string_view(kNpyMagic, 6)) {
    return absl::DataLossError("not a .npy array (no \\x93NUMPY magic)");
  }
  const uint8_t major = static_cast<uint8_t>(bytes[6]);
  size_t header_len = 0, header_at = 0;
  if (major == 1) {
    header_len = Get<uint16_t>(bytes, 8);
    header_at = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12) return absl::DataLossError(".npy header is truncated");
    header_len = Get<uint32_t>(bytes, 8);
    header_at = 12;
  } else {
    return absl::UnimplementedError(absl::StrCat(".npy format version ", major, " is unknown"));
  }
  if (bytes.size() - header_at < header_len) return absl::DataLossError(".npy header is truncated");
  const absl::string_view header = bytes.substr(header_at, header_len);
  auto descr = DictValue(header, "descr");
  auto fortran = DictValue(header, "fortran_order");
  auto shape_text = DictValue(header, "shape");
  for (const auto* v : {&descr, &fortran, &shape_text}) {
    if (!v->ok()) return v->status();
  }
  auto dtype = FromDescr(*descr);
  if (!dtype.ok()) return dtype.status();
  if (*fortran == "True") {
    return absl::UnimplementedError(
        "Fortran-ordered arrays are not supported: save np.ascontiguousarray(x)");
  }
  if (*fortran != "False") {
    return absl::DataLossError(
        absl::StrCat(".npy fortran_order is '", *fortran, "', expected True or False"));
  }
  std::vector<int64_t> shape;
  absl::string_view dims = absl::StripSuffix(absl::StripPrefix(*shape_text, "("), ")");
  for (absl::string_view d : absl::StrSplit(dims, ',', absl::SkipWhitespace())) {
    int64_t v = 0;
    if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(d), &v) || v < 0 ||
        v > (int64_t{1} << 40)) {
      return absl::DataLossError(absl::StrCat(".npy shape '", *shape_text, "' is invalid"));
    }
    shape.push_back(v);
  }
  const absl::string_view data = bytes.substr(header_at + header_len);
  uint64_t expected = DTypeBytes(*dtype);
  for (int64_t d : shape) {
    if (d != 0 && expected > std::numeric_limits<uint64_t>::max() / d) {
      return absl::DataLossError(".npy shape is too large");
    }
    expected *= d;
  }
  if (data.size() != expected) {
    return absl::DataLossError(absl::StrCat(".npy array ", Descr(*dtype), ShapeToString(shape),
                                            " needs ", expected, " bytes of data, the file has ",
                                            data.size()));
  }
  auto array = NDArray::Empty(shape, *dtype);
  if (!array.ok()) return array.status();
  std::memcpy(array->raw_data(), data.data(), data.size());
  return array;
}

std::string SerializeNpy(const NDArray& array) {
  std::vector<std::string> dims;
  for (int64_t d : array.shape()) dims.push_back(absl::StrCat(d));
  std::string shape = absl::StrJoin(dims, ", ");
  if (dims.size() == 1) shape += ",";
  std::string header = absl::StrCat("{'descr': '", Descr(array.dtype()),
                                    "', 'fortran_order': False, 'shape': (", shape, "), }");
  // Padded with spaces so that the data starts 64-byte aligned, '\n' last.
  const size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::string out(kNpyMagic, 6);
  out += '\x01';
  out += '\x00';
  Put<uint16_t>(out, static_cast<uint16_t>(header.size()));
  out += header;
  out.append(static_cast<const char*>(array.raw_data()), array.NumBytes());
  return out;
}

absl::StatusOr<NDArray> ReadNpyFile(const std::string& path) {
  auto bytes = ReadFile(path);
  if (!bytes.ok()) return bytes.status();
  auto array = ParseNpy(*bytes);
  if (!array.ok()) {
    return absl::Status(array.status().code(), absl::StrCat(path, ": ", array.status().message()));
  }
  return array;
}

absl::Status WriteNpyFile(const std::string& path, const NDArray& array) {
  return WriteFile(path, SerializeNpy(array));
}

absl::StatusOr<std::vector<std::pair<std::string, NDArray>>> ParseNpz(absl::string_view bytes) {
  // The end-of-central-directory record: the last "PK\5\6" within the
  // final 64 KiB (its comment is at most 65535 bytes).
  constexpr size_t kEndSize = 22;
  if (bytes.size() < kEndSize) return absl::DataLossError("not an .npz (ZIP) archive: too short");
  size_t end = absl::string_view::npos;
  for (size_t at = bytes.size() - kEndSize + 1; at-- > 0 && bytes.size() - at <= 65535 + kEndSize;) {
    if (bytes.substr(at, 4) == absl::string_view("PK\5\6", 4)) {
      end = at;
      break;
    }
  }
  if (end == absl::string_view::npos) {
    return absl::DataLossError("not an .npz (ZIP) archive, or truncated: no end record");
  }
  const uint16_t entries = Get<uint16_t>(bytes, end + 10);
  const uint32_t dir_size = Get<uint32_t>(bytes, end + 12);
  const uint32_t dir_at = Get<uint32_t>(bytes, end + 16);
  if (dir_at == 0xffffffffu || dir_size == 0xffffffffu || entries == 0xffff) {
    return absl::UnimplementedError("ZIP64 .npz archives (over 4 GiB) are not supported");
  }
  if (static_cast<uint64_t>(dir_at) + dir_size > end) {
    return absl::DataLossError(".npz central directory lies outside the file");
  }
  std::vector<std::pair<std::string, NDArray>> arrays;
  size_t at = dir_at;
  for (uint16_t e = 0; e < entries; ++e) {
    if (at + 46 > end || bytes.substr(at, 4) != absl::string_view("PK\1\2", 4)) {
      return absl::DataLossError(".npz central directory is corrupt");
    }
    const uint16_t method = Get<uint16_t>(bytes, at + 10);
    const uint32_t crc = Get<uint32_t>(bytes, at + 16);
    const uint32_t size = Get<uint32_t>(bytes, at + 20);
    const uint32_t uncompressed_size = Get<uint32_t>(bytes, at + 24);
    const uint16_t name_len = Get<uint16_t>(bytes, at + 28);
    const uint16_t extra_len = Get<uint16_t>(bytes, at + 30);
    const uint16_t comment_len = Get<uint16_t>(bytes, at + 32);
    const uint32_t local_at = Get<uint32_t>(bytes, at + 42);
    if (at + 46 + name_len > end) return absl::DataLossError(".npz entry name is truncated");
    std::string name(bytes.substr(at + 46, name_len));
    at += 46 + name_len + extra_len + comment_len;
    if (method != 0) {
      return absl::UnimplementedError(absl::StrCat(
          ".npz entry '", name, "' is compressed (np.savez_compressed); save with np.savez"));
    }
    // All-ones fields mean the real value is in a ZIP64 extra field.
    if (size == 0xffffffffu || uncompressed_size == 0xffffffffu || local_at == 0xffffffffu) {
      return absl::UnimplementedError(absl::StrCat(
          ".npz entry '", name, "' needs ZIP64 (over 4 GiB), which is not supported"));
    }
    if (size != uncompressed_size) {
      return absl::DataLossError(absl::StrCat(".npz entry '", name, "' is stored with ", size,
                                              " bytes but claims ", uncompressed_size));
    }
    if (static_cast<uint64_t>(local_at) + 30 > bytes.size() ||
        bytes.substr(local_at, 4) != absl::string_view("PK\3\4", 4)) {
      return absl::DataLossError(absl::StrCat(".npz entry '", name, "' is corrupt"));
    }
    const uint64_t data_at = static_cast<uint64_t>(local_at) + 30 +
                             Get<uint16_t>(bytes, local_at + 26) +
                             Get<uint16_t>(bytes, local_at + 28);
    if (data_at + size > bytes.size()) {
      return absl::DataLossError(absl::StrCat(".npz entry '", name, "' is truncated"));
    }
    const absl::string_view data = bytes.substr(data_at, size);
    if (Crc32(data) != crc) {
      return absl::DataLossError(absl::StrCat(".npz entry '", name, "' fails its CRC check"));
    }
    auto array = ParseNpy(data);
    if (!array.ok()) {
      return absl::Status(array.status().code(),
                          absl::StrCat(".npz entry '", name, "': ", array.status().message()));
    }
    if (absl::EndsWith(name, ".npy")) name.resize(name.size() - 4);
    arrays.emplace_back(std::move(name), *array);
  }
  return arrays;
}

absl::StatusOr<std::string> SerializeNpz(
    const std::vector<std::pair<std::string, NDArray>>& arrays) {
  // Classic ZIP fields are 16 and 32 bits, and all-ones values mean "see the
  // ZIP64 record" to readers; past these limits the archive would be corrupt.
  constexpr uint64_t kMaxBytes = 0xfffffffeu;
  if (arrays.size() >= 0xffff) {
    return absl::UnimplementedError(absl::StrCat(
        "cannot write ", arrays.size(), " arrays to an .npz: at most 65534 fit without ZIP64"));
  }
  std::string out, directory;
  for (const auto& [key, array] : arrays) {
    const std::string name = key + ".npy";
    if (name.size() > 0xffff) {
      return absl::InvalidArgumentError(absl::StrCat(
          ".npz entry names are at most 65535 bytes, '", key.substr(0, 32), "...' has ",
          name.size()));
    }
    const std::string data = SerializeNpy(array);
    if (out.size() + 30 + name.size() + data.size() > kMaxBytes) return TooLargeForZip();
    const uint32_t crc = Crc32(data);
    const uint32_t local_at = static_cast<uint32_t>(out.size());
    // Local header: version 20, no flags, stored, no time, sizes known.
    Put<uint32_t>(out, 0x04034b50);
    for (uint16_t v : {uint16_t{20}, uint16_t{0}, uint16_t{0}, uint16_t{0}, uint16_t{0x21}}) {
      Put<uint16_t>(out, v);
    }
    Put<uint32_t>(out, crc);
    Put<uint32_t>(out, static_cast<uint32_t>(data.size()));
    Put<uint32_t>(out, static_cast<uint32_t>(data.size()));
    Put<uint16_t>(out, static_cast<uint16_t>(name.size()));
    Put<uint16_t>(out, 0);
    out += name;
    out += data;
    Put<uint32_t>(directory, 0x02014b50);
    for (uint16_t v : {uint16_t{20}, uint16_t{20}, uint16_t{0}, uint16_t{0}, uint16_t{0},
                       uint16_t{0x21}}) {
      Put<uint16_t>(directory, v);
    }
    Put<uint32_t>(directory, crc);
    Put<uint32_t>(directory, static_cast<uint32_t>(data.size()));
    Put<uint32_t>(directory, static_cast<uint32_t>(data.size()));
    Put<uint16_t>(directory, static_cast<uint16_t>(name.size()));
    for (int i = 0; i < 4; ++i) Put<uint16_t>(directory, 0);  // extra, comment, disk, attrs
    Put<uint32_t>(directory, 0);                             // external attributes
    Put<uint32_t>(directory, local_at);
    directory += name;
  }
  if (out.size() + directory.size() > kMaxBytes) return TooLargeForZip();
  const uint32_t dir_at = static_cast<uint32_t>(out.size());
  out += directory;
  Put<uint32_t>(out, 0x06054b50);
  Put<uint16_t>(out, 0);
  Put<uint16_t>(out, 0);
  Put<uint16_t>(out, static_cast<uint16_t>(arrays.size()));
  Put<uint16_t>(out, static_cast<uint16_t>(arrays.size()));
  Put<uint32_t>(out, static_cast<uint32_t>(directory.size()));
  Put<uint32_t>(out, dir_at);
  Put<uint16_t>(out, 0);
  return out;
}

absl::StatusOr<std::vector<std::pair<std::string, NDArray>>> ReadNpzFile(const std::string& path) {
  auto bytes = ReadFile(path);
  if (!bytes.ok()) return bytes.status();
  auto arrays = ParseNpz(*bytes);
  if (!arrays.ok()) {
    return absl::Status(arrays.status().code(), absl::StrCat(path, ": ", arrays.status().message()));
  }
  return arrays;
}

absl::Status WriteNpzFile(const std::string& path,
                          const std::vector<std::pair<std::string, NDArray>>& arrays) {
  auto bytes = SerializeNpz(arrays);
  if (!bytes.ok()) return bytes.status();
  return WriteFile(path, *bytes);
}

}  // namespace kiln::runtime
