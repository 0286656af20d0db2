using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using Microsoft.Extensions.DependencyInjection;

namespace BacklinkOrleans.Accounts.Protection;

/// <summary>Encrypts each Data Protection key's XML with the master key (AES-256-GCM) before it is stored.</summary>
internal sealed class MasterKeyXmlEncryptor(MasterKey key) : IXmlEncryptor
{
    public EncryptedXmlInfo Encrypt(XElement plaintextElement) => new(Seal(key, plaintextElement), typeof(MasterKeyXmlDecryptor));

    /// <summary>The <c>masterKeyEncrypted</c> element holding <paramref name="plaintextElement"/> encrypted under <paramref name="key"/>.</summary>
    public static XElement Seal(MasterKey key, XElement plaintextElement)
    {
        var plaintext = Encoding.UTF8.GetBytes(plaintextElement.ToString(SaveOptions.DisableFormatting));
        var nonce = RandomNumberGenerator.GetBytes(AesGcm.NonceByteSizes.MaxSize);
        var tag = new byte[AesGcm.TagByteSizes.MaxSize];
        var ciphertext = new byte[plaintext.Length];
        using (var aes = new AesGcm(key.Bytes, tag.Length))
            aes.Encrypt(nonce, plaintext, ciphertext, tag);
        return new XElement(ElementName,
            new XAttribute("masterKeyId", key.Id),
            new XElement("value", Convert.ToBase64String([.. nonce, .. tag, .. ciphertext])));
    }

    public const string ElementName = "masterKeyEncrypted";
}

/// <summary>Decrypts key XML encrypted by <see cref="MasterKeyXmlEncryptor"/>; a different master key is named in the error.</summary>
internal sealed class MasterKeyXmlDecryptor(IServiceProvider services) : IXmlDecryptor
{
    public XElement Decrypt(XElement encryptedElement) => Open(services.GetRequiredService<MasterKey>(), encryptedElement);

    /// <summary>The plaintext of a <c>masterKeyEncrypted</c> element; throws naming both keys when it was sealed under another.</summary>
    public static XElement Open(MasterKey key, XElement encryptedElement)
    {
        var expected = (string?)encryptedElement.Attribute("masterKeyId");
        if (expected != key.Id)
            throw new CryptographicException(
                $"The credential key ring was encrypted with master key {expected}, but the configured master key ({key.Source}) is {key.Id}.");
        var blob = Convert.FromBase64String((string)encryptedElement.Element("value")!);
        var nonce = blob.AsSpan(0, AesGcm.NonceByteSizes.MaxSize);
        var tag = blob.AsSpan(nonce.Length, AesGcm.TagByteSizes.MaxSize);
        var ciphertext = blob.AsSpan(nonce.Length + tag.Length);
        var plaintext = new byte[ciphertext.Length];
        using (var aes = new AesGcm(key.Bytes, tag.Length))
            aes.Decrypt(nonce, ciphertext, tag, plaintext);
        return XElement.Parse(Encoding.UTF8.GetString(plaintext));
    }
}
