import { MemoryMailStore } from '../../../agents/core/memory-mail-store.js';
import { mailStoreContract } from './mail-store.contract.js';

mailStoreContract('MemoryMailStore', async () => ({ store: new MemoryMailStore() }));
