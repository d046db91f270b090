/**
 * LangGraph checkpoints encrypted at rest. PostgresSaver writes what its serde produces into
 * checkpoint_blobs (channel values: the turn's text, plan, tool results), checkpoint_writes
 * (pending writes, interrupts, resume values) and checkpoints.metadata (jsonb). This serde wraps
 * LangGraph's own JsonPlusSerializer and seals its bytes with the data keyring, so all three hold
 * `{ "$enc": "sb1:<kid>:…" }` and nothing in clear. (The `checkpoint` jsonb column itself holds
 * only ids, timestamps and channel versions: PostgresSaver moves channel values to blobs.)
 *
 * Metadata is JSON-parsed by PostgresSaver, so the sealed form is a JSON envelope; and on reading
 * it calls dumpsTyped(metadata-as-stored) then loadsTyped, so an envelope given to dumpsTyped is
 * passed through as is (it is already sealed) and opened by loadsTyped.
 *
 * Clear values written before encryption was introduced are still read (not sealed → inner serde).
 */
import { JsonPlusSerializer, type SerializerProtocol } from '@langchain/langgraph-checkpoint';
import { dataKeys, isSealedJson, type DataKeyring } from './data-keys.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class EncryptingSerde implements SerializerProtocol {
  constructor(
    private readonly inner: SerializerProtocol = new JsonPlusSerializer(),
    private readonly keys: () => DataKeyring = dataKeys,
  ) {}

  async dumpsTyped(data: unknown): Promise<[string, Uint8Array]> {
    if (isSealedJson(data)) return ['json', encoder.encode(JSON.stringify(data))];
    const [type, bytes] = await this.inner.dumpsTyped(data);
    return [type, encoder.encode(JSON.stringify({ $enc: this.keys().seal(bytes, aad(type)) }))];
  }

  async loadsTyped(type: string, data: Uint8Array | string): Promise<unknown> {
    const text = typeof data === 'string' ? data : decoder.decode(data);
    let parsed: unknown;
    if (text.startsWith('{"$enc":')) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
    }
    if (isSealedJson(parsed)) return this.inner.loadsTyped(type, new Uint8Array(this.keys().open(parsed.$enc, aad(type))));
    return this.inner.loadsTyped(type, data);
  }
}

const aad = (type: string) => `checkpoint:${type}`;
