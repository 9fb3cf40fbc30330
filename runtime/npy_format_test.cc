#include "runtime/npy_format.h"

#include <cstdlib>
#include <cstring>

#include "gtest/gtest.h"

namespace kiln::runtime {
namespace {

NDArray Iota(std::vector<int64_t> shape, DType dtype) {
  NDArray a = *NDArray::Empty(shape, dtype);
  for (int64_t i = 0; i < a.NumBytes(); ++i) static_cast<uint8_t*>(a.raw_data())[i] = i * 7 + 1;
  if (dtype == DType::kBool) {
    for (int64_t i = 0; i < a.NumElements(); ++i) a.data<uint8_t>()[i] = i % 2;
  }
  return a;
}

uint32_t DirectoryOffset(const std::string& zip) {
  uint32_t dir_at;
  std::memcpy(&dir_at, &zip[zip.size() - 6], 4);
  return dir_at;
}

// Inserts bytes into a one-entry archive before its central directory, so
// only the end record's directory offset moves.
void InsertBeforeDirectory(std::string& zip, size_t at, const std::string& bytes) {
  const uint32_t dir_at = DirectoryOffset(zip) + bytes.size();
  zip.insert(at, bytes);
  std::memcpy(&zip[zip.size() - 6], &dir_at, 4);
}

// np.savez opens every entry with force_zip64, so its local headers carry a
// ZIP64 extra field (id 1, both sizes) and need version 4.5.
std::string WithLocalZip64Extra(std::string zip) {
  uint64_t size = 0;
  std::memcpy(&size, &zip[18], 4);
  std::string extra("\x01\x00\x10\x00", 4);
  extra.append(reinterpret_cast<const char*>(&size), 8);
  extra.append(reinterpret_cast<const char*>(&size), 8);
  uint16_t name_len;
  std::memcpy(&name_len, &zip[26], 2);
  zip[4] = 45;
  zip[28] = static_cast<char>(extra.size());
  InsertBeforeDirectory(zip, 30 + name_len, extra);
  return zip;
}

// As a streaming writer (np.savez to a pipe) makes it: flag bit 3, zeros in
// the local header, the CRC and sizes in a descriptor after the data.
std::string WithDataDescriptor(std::string zip) {
  const std::string crc_and_sizes = zip.substr(14, 12);
  zip[6] |= 8;
  zip.replace(14, 12, std::string(12, '\0'));
  zip[DirectoryOffset(zip) + 8] |= 8;
  InsertBeforeDirectory(zip, DirectoryOffset(zip), std::string("PK\7\x08", 4) + crc_and_sizes);
  return zip;
}

void ExpectSame(const NDArray& a, const NDArray& b) {
  ASSERT_EQ(a.shape(), b.shape());
  ASSERT_EQ(a.dtype(), b.dtype());
  EXPECT_EQ(std::memcmp(a.raw_data(), b.raw_data(), a.NumBytes()), 0);
}

TEST(NpyTest, RoundTripsEveryDtypeAndRank) {
  for (uint8_t code = 0; IsDTypeCode(code); ++code) {
    const DType t = static_cast<DType>(code);
    for (std::vector<int64_t> shape : {std::vector<int64_t>{}, {5}, {2, 3, 4}, {0, 3}}) {
      const NDArray a = Iota(shape, t);
      const std::string bytes = SerializeNpy(a);
      EXPECT_EQ((bytes.size() - a.NumBytes()) % 64, 0u) << "data is 64-byte aligned";
      auto back = ParseNpy(bytes);
      ASSERT_TRUE(back.ok()) << back.status();
      ExpectSame(*back, a);
    }
  }
}

TEST(NpyTest, ReadsWhatNumpyWrites) {
  // np.save of np.zeros((2, 3), np.float32) with numpy 1.x.
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
  header.append(118 - header.size() - 1, ' ');
  header += '\n';
  std::string bytes = std::string("\x93NUMPY\x01\x00", 8) + std::string("\x76\x00", 2) + header +
                      std::string(24, '\0');
  auto a = ParseNpy(bytes);
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->shape(), (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(a->dtype(), DType::kFloat32);
}

TEST(NpyTest, BadArraysAreClearErrors) {
  const std::string good = SerializeNpy(Iota({2, 3}, DType::kFloat32));
  for (size_t n = 0; n < good.size(); ++n) {
    EXPECT_FALSE(ParseNpy(good.substr(0, n)).ok()) << n;
  }
  std::string fortran = good;
  fortran.replace(fortran.find("False"), 5, "True ");
  EXPECT_NE(ParseNpy(fortran).status().message().find("Fortran"), std::string::npos);
  std::string not_bool = good;
  not_bool.replace(not_bool.find("False"), 5, "Maybe");
  EXPECT_NE(ParseNpy(not_bool).status().message().find("expected True or False"),
            std::string::npos);
  for (const char* descr : {"|V4", ">f4", "<c8"}) {
    std::string other = good;
    other.replace(other.find("<f4"), 3, descr);
    const absl::Status st = ParseNpy(other).status();
    EXPECT_EQ(st.code(), absl::StatusCode::kUnimplemented) << descr;
    EXPECT_NE(st.message().find(std::string("'") + descr + "'"), std::string::npos) << st;
  }
  EXPECT_NE(ParseNpy(good.substr(0, good.size() - 1)).status().message().find("needs 24 bytes"),
            std::string::npos);
  EXPECT_FALSE(ParseNpy(good + "x").ok());
  EXPECT_FALSE(ParseNpy("hello, world").ok());
}

TEST(NpzTest, RoundTripKeepsNamesAndOrder) {
  const std::vector<std::pair<std::string, NDArray>> arrays = {
      {"data", Iota({1, 3, 4, 4}, DType::kFloat32)}, {"ids", Iota({7}, DType::kInt64)}};
  auto back = ParseNpz(*SerializeNpz(arrays));
  ASSERT_TRUE(back.ok()) << back.status();
  ASSERT_EQ(back->size(), 2u);
  EXPECT_EQ((*back)[0].first, "data");
  EXPECT_EQ((*back)[1].first, "ids");
  ExpectSame((*back)[0].second, arrays[0].second);
  ExpectSame((*back)[1].second, arrays[1].second);
}

TEST(NpzTest, TruncatedCorruptAndCompressedArchivesAreErrors) {
  const std::string good =
      *SerializeNpz({{"a", Iota({3, 5}, DType::kFloat32)}, {"b", Iota({2}, DType::kInt32)}});
  for (size_t n = 0; n < good.size(); ++n) {
    EXPECT_FALSE(ParseNpz(good.substr(0, n)).ok()) << "prefix of " << n;
  }
  std::string flipped = good;
  flipped[100] ^= 1;  // inside the first entry's data
  EXPECT_NE(ParseNpz(flipped).status().message().find("CRC"), std::string::npos);
  std::string deflated = good;
  const size_t dir = deflated.find(std::string("PK\1\2", 4));
  deflated[dir + 10] = 8;  // method 8: deflate
  auto st = ParseNpz(deflated).status();
  EXPECT_EQ(st.code(), absl::StatusCode::kUnimplemented);
  EXPECT_NE(st.message().find("np.savez"), std::string::npos);
  std::string zip64 = good;
  std::memset(&zip64[dir + 20], 0xff, 4);  // compressed size lives in a ZIP64 field
  st = ParseNpz(zip64).status();
  EXPECT_EQ(st.code(), absl::StatusCode::kUnimplemented);
  EXPECT_NE(st.message().find("ZIP64"), std::string::npos);
}

TEST(NpzTest, ReadsZip64ExtrasAndDataDescriptors) {
  const NDArray x = Iota({3}, DType::kInt32);
  const std::string plain = *SerializeNpz({{"x", x}});
  for (const std::string& zip : {WithLocalZip64Extra(plain), WithDataDescriptor(plain),
                                 WithDataDescriptor(WithLocalZip64Extra(plain))}) {
    auto back = ParseNpz(zip);
    ASSERT_TRUE(back.ok()) << back.status();
    ASSERT_EQ(back->size(), 1u);
    EXPECT_EQ((*back)[0].first, "x");
    ExpectSame((*back)[0].second, x);
  }
}

TEST(NpzTest, FilesRoundTrip) {
  const std::string path = std::string(std::getenv("TEST_TMPDIR")) + "/x.npz";
  ASSERT_TRUE(WriteNpzFile(path, {{"x", Iota({4}, DType::kUInt8)}}).ok());
  auto back = ReadNpzFile(path);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ((*back)[0].first, "x");
  EXPECT_EQ(ReadNpzFile("/nonexistent.npz").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(WriteNpyFile("/nonexistent/x.npy", Iota({4}, DType::kUInt8)).code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace kiln::runtime
