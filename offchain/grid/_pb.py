"""dag-pb and UnixFS protobuf messages, built at import time with the protobuf library (private).

The schemas are the ones Kubo uses (``merkledag.proto`` and ``unixfs.proto``, proto2).
dag-pb's canonical form writes ``Links`` (field 2) *before* ``Data`` (field 1); protobuf
serialises fields in number order, so :func:`encode_node` serialises the two parts as
separate messages and concatenates them (concatenated protobuf messages merge, so the
bytes decode to the same node).
"""

from __future__ import annotations

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

_F = descriptor_pb2.FieldDescriptorProto


def _file() -> descriptor_pb2.FileDescriptorProto:
    f = descriptor_pb2.FileDescriptorProto(
        name="gridledger_dagpb_unixfs.proto", package="gridledger.ipfs", syntax="proto2"
    )

    link = f.message_type.add(name="PBLink")
    link.field.add(name="Hash", number=1, type=_F.TYPE_BYTES, label=_F.LABEL_OPTIONAL)
    link.field.add(name="Name", number=2, type=_F.TYPE_STRING, label=_F.LABEL_OPTIONAL)
    link.field.add(name="Tsize", number=3, type=_F.TYPE_UINT64, label=_F.LABEL_OPTIONAL)

    node = f.message_type.add(name="PBNode")
    node.field.add(name="Data", number=1, type=_F.TYPE_BYTES, label=_F.LABEL_OPTIONAL)
    node.field.add(
        name="Links", number=2, type=_F.TYPE_MESSAGE, label=_F.LABEL_REPEATED, type_name=".gridledger.ipfs.PBLink"
    )

    data = f.message_type.add(name="Data")
    kind = data.enum_type.add(name="DataType")
    for i, name in enumerate(["Raw", "Directory", "File", "Metadata", "Symlink", "HAMTShard"]):
        kind.value.add(name=name, number=i)
    data.field.add(
        name="Type", number=1, type=_F.TYPE_ENUM, label=_F.LABEL_REQUIRED, type_name=".gridledger.ipfs.Data.DataType"
    )
    data.field.add(name="Data", number=2, type=_F.TYPE_BYTES, label=_F.LABEL_OPTIONAL)
    data.field.add(name="filesize", number=3, type=_F.TYPE_UINT64, label=_F.LABEL_OPTIONAL)
    data.field.add(name="blocksizes", number=4, type=_F.TYPE_UINT64, label=_F.LABEL_REPEATED)
    data.field.add(name="hashType", number=5, type=_F.TYPE_UINT64, label=_F.LABEL_OPTIONAL)
    data.field.add(name="fanout", number=6, type=_F.TYPE_UINT64, label=_F.LABEL_OPTIONAL)
    return f


_pool = descriptor_pool.DescriptorPool()
_pool.Add(_file())
PBLink = message_factory.GetMessageClass(_pool.FindMessageTypeByName("gridledger.ipfs.PBLink"))
PBNode = message_factory.GetMessageClass(_pool.FindMessageTypeByName("gridledger.ipfs.PBNode"))
UnixFSData = message_factory.GetMessageClass(_pool.FindMessageTypeByName("gridledger.ipfs.Data"))
UNIXFS_FILE = 2


def unixfs_file(data: bytes | None, filesize: int, blocksizes: list[int] | None = None) -> bytes:
    """Serialised UnixFS ``Data`` message of a file node (leaf when ``data`` is given)."""
    msg = UnixFSData(Type=UNIXFS_FILE, filesize=filesize)
    if data:
        msg.Data = data
    if blocksizes:
        msg.blocksizes.extend(blocksizes)
    return msg.SerializeToString()


def encode_node(data: bytes, links: list[tuple[bytes, int]]) -> bytes:
    """Canonical dag-pb bytes: links (hash, empty name, tsize) first, then data."""
    head = PBNode()
    for mh, tsize in links:
        head.Links.add(Hash=mh, Name="", Tsize=tsize)
    return head.SerializeToString() + PBNode(Data=data).SerializeToString()


def decode_node(raw: bytes) -> tuple[bytes, list[tuple[bytes, int]]]:
    """(data, [(hash, tsize)]) of a dag-pb node."""
    node = PBNode()
    node.ParseFromString(raw)
    return node.Data, [(link.Hash, link.Tsize) for link in node.Links]


def decode_unixfs(raw: bytes) -> tuple[int, bytes, int, list[int]]:
    """(type, data, filesize, blocksizes) of a UnixFS ``Data`` message."""
    msg = UnixFSData()
    msg.ParseFromString(raw)
    return msg.Type, msg.Data, msg.filesize, list(msg.blocksizes)
