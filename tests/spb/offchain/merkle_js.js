// Reference side of the Merkle interop test: reads {"encoding": [...], "values": [[...]]}
// on stdin, prints the @openzeppelin/merkle-tree StandardMerkleTree dump, root and all proofs.
const path = require('path');
const { StandardMerkleTree } = require(path.join(process.argv[2], 'node_modules/@openzeppelin/merkle-tree'));
let input = '';
process.stdin.on('data', (d) => (input += d));
process.stdin.on('end', () => {
  const { encoding, values } = JSON.parse(input);
  const tree = StandardMerkleTree.of(values, encoding);
  const proofs = values.map((_, i) => tree.getProof(i));
  process.stdout.write(JSON.stringify({ root: tree.root, dump: tree.dump(), proofs }));
});
