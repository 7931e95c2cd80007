using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text.Json;
using CrmBot.Crm.Model;

namespace CrmBot.Crm.Surveys;

/// <summary>
/// Seals an answer sheet for <see cref="SealedResponse"/>: AES-GCM with a random nonce under the
/// survey's answer key, the survey id as associated data (a sheet cannot be moved to another survey).
/// The plaintext is padded to whole blocks so the blob's length does not point at a later released
/// sheet by the length of its free text. Layout: nonce | tag | ciphertext.
/// </summary>
internal static class AnswerSeal
{
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private const int Block = 4096;

    private sealed record Item(int Q, int? R, string? C, string? T);

    public static byte[] Seal(byte[] key, int surveyId, IEnumerable<SurveyAnswer> answers)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(answers.Select(a => new Item(a.QuestionIndex, a.Rating, a.Choices, a.Text)).ToList());
        var plain = new byte[(4 + json.Length + Block - 1) / Block * Block];
        BinaryPrimitives.WriteInt32LittleEndian(plain, json.Length);
        json.CopyTo(plain, 4);
        var blob = new byte[NonceSize + TagSize + plain.Length];
        var nonce = blob.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key, TagSize);
        aes.Encrypt(nonce, plain, blob.AsSpan(NonceSize + TagSize), blob.AsSpan(NonceSize, TagSize), Aad(surveyId));
        CryptographicOperations.ZeroMemory(plain);
        return blob;
    }

    /// <exception cref="CryptographicException">The blob was not sealed under this key for this survey.</exception>
    public static List<SurveyAnswer> Open(byte[] key, int surveyId, byte[] blob)
    {
        if (blob.Length < NonceSize + TagSize + 4)
            throw new CryptographicException("A sealed answer sheet is too short.");
        var plain = new byte[blob.Length - NonceSize - TagSize];
        using var aes = new AesGcm(key, TagSize);
        aes.Decrypt(blob.AsSpan(0, NonceSize), blob.AsSpan(NonceSize + TagSize), blob.AsSpan(NonceSize, TagSize), plain, Aad(surveyId));
        var length = BinaryPrimitives.ReadInt32LittleEndian(plain);
        if (length < 0 || length > plain.Length - 4)
            throw new CryptographicException("A sealed answer sheet has a bad length.");
        var items = JsonSerializer.Deserialize<List<Item>>(plain.AsSpan(4, length)) ?? [];
        CryptographicOperations.ZeroMemory(plain);
        return items.Select(i => new SurveyAnswer
        {
            Id = SurveyService.RandomKey(), QuestionIndex = i.Q, Rating = i.R, Choices = i.C, Text = i.T,
        }).ToList();
    }

    private static byte[] Aad(int surveyId)
    {
        var aad = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(aad, surveyId);
        return aad;
    }
}
