/** File formats relreason reads and writes for other tools: safetensors tensors. */
package org.relreason.model.io;
