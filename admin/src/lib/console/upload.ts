/**
 * Attachments: `POST /v1/conversations/:id/attachments` on the chat server (multipart, one `file`
 * part) with the agent's access token, through XMLHttpRequest because fetch reports no upload
 * progress. The answer is the attachment (id, name, type, signed URL); its id goes on message.send.
 */
import type { Attachment } from '@chat/shared';

export function uploadAttachment(options: {
  baseUrl: string;
  conversationId: string;
  token: string;
  file: File;
  onProgress: (fraction: number) => void;
}): { done: Promise<Attachment>; abort(): void } {
  const xhr = new XMLHttpRequest();
  const done = new Promise<Attachment>((resolve, reject) => {
    xhr.open('POST', `${options.baseUrl}/v1/conversations/${options.conversationId}/attachments`);
    xhr.setRequestHeader('Authorization', `Bearer ${options.token}`);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) options.onProgress(event.loaded / event.total);
    };
    xhr.onload = () => {
      let body: unknown;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        reject(new Error(`Upload failed (${xhr.status})`));
        return;
      }
      if (xhr.status === 201) resolve(body as Attachment);
      else {
        const message = (body as { error?: { message?: string } })?.error?.message;
        reject(new Error(message || `Upload failed (${xhr.status})`));
      }
    };
    xhr.onerror = () => reject(new Error('Upload failed: the chat server could not be reached'));
    xhr.onabort = () => reject(new Error('Upload cancelled'));
    const form = new FormData();
    form.append('file', options.file, options.file.name || 'file');
    xhr.send(form);
  });
  return { done, abort: () => xhr.abort() };
}
